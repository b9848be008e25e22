import { now, type Db } from '../core/db/database.ts';
import { finishBuild, type CopiedStep } from '../core/db/queue.ts';
import type { BuildRow } from '../core/model/rows.ts';
import { BuildStatus } from '../core/model/status.ts';
import type { GcRoots } from '../core/gc-roots.ts';
import type { Nix } from '../core/nix/nix.ts';
import { readOutputFacts } from './post-process.ts';
import { evidenceMetrics, readEvidence } from './read-evidence.ts';
import type { CoverageRecord } from '../core/coverage/build-coverage.ts';

/**
 * Records a build whose outputs now exist: sizes, products, metrics, release name, and
 * status 6 instead of 0 when the build says so in nix-support/failed.
 */
export async function finishSuccessfulBuild(db: Db, nix: Nix, roots: GcRoots, row: BuildRow, outputs: Record<string, string>, opts: { cached: boolean; step: CopiedStep | null; coverage?: CoverageRecord | null }): Promise<number> {
  const facts = await readOutputFacts(outputs);
  const first = outputs['out'] ?? Object.values(outputs)[0];
  const sizes = first ? await nix.pathSizes(first).catch(() => null) : null;
  const evidence = await readEvidence(db, row, facts.products, Object.values(outputs), opts.coverage);
  const status = facts.failedWithOutput ? BuildStatus.FailedWithOutput : BuildStatus.Success;
  finishBuild(db, row.id, {
    status, isCachedBuild: opts.cached, startTime: row.starttime ?? now(), stopTime: now(),
    size: sizes?.narSize ?? null, closureSize: sizes?.closureSize ?? null, releaseName: facts.releaseName,
    products: facts.products, metrics: [...facts.metrics, ...evidenceMetrics(evidence, facts.metrics)], evidence,
  }, opts.step);
  roots.add(Object.values(outputs)); // before anyone can collect them; kept as long as the jobset's keepnr says
  return status;
}
