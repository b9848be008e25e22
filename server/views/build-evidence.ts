import { coverageSummary } from '../../core/db/coverage.ts';
import type { Db } from '../../core/db/database.ts';
import { buildScreenshots, type ScreenshotRow } from '../../core/db/screenshots.ts';
import { figures } from './coverage-table.ts';
import { links } from './links.ts';

export function screenshotUrls(s: ScreenshotRow) {
  return {
    url: links.download(s.buildId, s.productnr, s.file),
    diffUrl: s.hasDiff
      ? `${links.build(s.buildId)}/screenshot-diff/${s.productnr}${s.file ? `/${encodeURIComponent(s.file)}` : ''}`
      : null,
    previousUrl:
      s.previousBuildId !== null && s.previousProductnr !== null
        ? links.download(s.previousBuildId, s.previousProductnr, s.previousFile ?? '')
        : null,
    previousBuildUrl: s.previousBuildId !== null ? links.build(s.previousBuildId) : null,
  };
}

/** A screenshot as pages show it: the image, and its comparison with the previous successful build's. */
export function screenshotView(s: ScreenshotRow) {
  const share = s.changedPixels !== null && s.totalPixels ? (s.changedPixels / s.totalPixels) * 100 : null;
  return {
    ...s,
    ...screenshotUrls(s),
    compared: s.changedPixels !== null,
    changedText:
      share === null
        ? null
        : `${s.changedPixels} of ${s.totalPixels} pixels changed (${share.toFixed(share > 0 && share < 0.1 ? 3 : 1)}%)`,
    unchanged: s.changedPixels === 0,
  };
}

/** The coverage summary and screenshots of the build page. */
export function buildEvidence(db: Db, buildId: number) {
  const summary = coverageSummary(db, buildId);
  return {
    coverage: summary
      ? { ...figures(summary), url: `${links.build(buildId)}/coverage`, problems: summary.problems }
      : null,
    screenshots: buildScreenshots(db, buildId).map(screenshotView),
  };
}
