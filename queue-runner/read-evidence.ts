import { readBuildCoverage, type CoverageRecord } from '../core/coverage/build-coverage.ts';
import { percent } from '../core/coverage/tracefile.ts';
import type { Db } from '../core/db/database.ts';
import type { ProductRecord } from '../core/db/build-results.ts';
import type { ScreenshotRecord } from '../core/db/screenshots.ts';
import { readPngBounded } from '../core/screenshots/png.ts';
import { readScreenshots, screenshotsOf } from './read-screenshots.ts';

/** What a VM test leaves behind, beyond its products: recorded with the build, in the same transaction. */
export interface Evidence {
  coverage: CoverageRecord | null;
  screenshots: ScreenshotRecord[];
}

type Metric = { name: string; value: number; unit: string | null };

/** `coverage` is the record already read for the step's log (undefined: read it now). */
export async function readEvidence(
  db: Db,
  build: { id: number; jobset_id: number; job: string },
  products: readonly ProductRecord[],
  outputs: readonly string[],
  coverage?: CoverageRecord | null,
): Promise<Evidence> {
  return {
    coverage: coverage !== undefined ? coverage : await readBuildCoverage(products, outputs),
    screenshots: readScreenshots(db, build, products),
  };
}

/**
 * The evidence's figures as build metrics (charted like any metric). A metric the build
 * declares itself in hydra-metrics keeps the build's value.
 */
export function evidenceMetrics(e: Evidence, declared: readonly Metric[]): Metric[] {
  const out: Metric[] = [];
  const add = (name: string, value: number | null, unit: string | null) => {
    if (value !== null && !declared.some((m) => m.name === name)) out.push({ name, value, unit });
  };
  if (e.coverage) {
    const t = e.coverage.totals;
    add('lineCoverage', percent(t.linesHit, t.linesFound), '%');
    add('functionCoverage', percent(t.functionsHit, t.functionsFound), '%');
    add('branchCoverage', percent(t.branchesHit, t.branchesFound), '%');
  }
  const compared = e.screenshots.filter((s) => s.changedPixels !== null);
  if (compared.length > 0) {
    const changed = compared.reduce((n, s) => n + s.changedPixels!, 0);
    const total = compared.reduce((n, s) => n + s.totalPixels!, 0);
    add('screenshotChangedPixels', changed, 'pixels');
    add('screenshotChangedShare', total ? Math.round((changed / total) * 1e6) / 1e4 : 0, '%');
  }
  return out;
}

/**
 * A step's coverage, read once when the step ends, and what is wrong with it and with the
 * screenshots, one line each, for the step's log (where the job's author looks). The
 * coverage is handed on to recording its builds, which does not read the tracefiles again.
 * `products` are the step's own (readOutputFacts): no product that leads out of its output is read.
 */
export async function readStepEvidence(
  outputs: Record<string, string>,
  products: readonly ProductRecord[],
): Promise<{ coverage: CoverageRecord | null; problems: string[] }> {
  const paths = Object.values(outputs);
  const coverage = await readBuildCoverage(products, paths);
  const problems = (coverage?.problems ?? []).map((p) => `coverage: ${p}`);
  for (const shot of screenshotsOf(products)) {
    const read = readPngBounded(shot.path);
    if (!read.ok) problems.push(`screenshot: ${shot.name} ${read.error}`);
  }
  return { coverage, problems };
}
