import { jobCoverageHistory } from '../../core/db/coverage.ts';
import type { Db } from '../../core/db/database.ts';
import { jobScreenshots } from '../../core/db/screenshots.ts';
import { screenshotView } from './build-evidence.ts';
import { figures } from './coverage-table.ts';

/** The job page's latest coverage figures and latest screenshots, with links to their pages. */
export function jobEvidence(db: Db, jobsetId: number, job: string, base: string) {
  const latest = jobCoverageHistory(db, jobsetId, job, 1)[0];
  const shots = jobScreenshots(db, jobsetId, job, 1).map(screenshotView);
  return {
    coverage: latest ? { ...figures(latest), url: `${base}/coverage`, buildId: latest.buildId, problems: [] } : null,
    screenshots: shots,
    screenshotsUrl: shots.length ? `${base}/screenshots` : null,
  };
}
