import { now, type Db } from '../core/db/database.ts';
import { finishBuild, type CopiedStep } from '../core/db/build-results.ts';
import type { QueuedBuildRow } from '../core/model/rows.ts';
import { BuildStatus } from '../core/model/status.ts';
import type { GcRoots } from '../core/gc-roots.ts';
import type { Nix } from '../core/nix/nix.ts';
import { readOutputFacts, type OutputFacts } from './output-facts.ts';
import { evidenceMetrics, readEvidence } from './read-evidence.ts';
import type { CoverageRecord } from '../core/coverage/build-coverage.ts';

/** What a build's existing outputs say about it, read once for every build of one derivation. */
export interface InspectedOutputs {
  outputs: Record<string, string>;
  facts: OutputFacts;
  sizes: { narSize: number; closureSize: number } | null;
}

/** Reads the outputs' nix-support facts (unless the step already did) and their sizes. */
export async function inspectOutputs(
  nix: Nix,
  outputs: Record<string, string>,
  facts?: OutputFacts,
): Promise<InspectedOutputs> {
  const first = outputs['out'] ?? Object.values(outputs)[0];
  const sizes = first ? await nix.pathSizes(first).catch(() => null) : null;
  return { outputs, facts: facts ?? (await readOutputFacts(outputs)), sizes };
}

/**
 * Records a build whose outputs now exist: sizes, products, metrics, release name, and
 * status 6 instead of 0 when the build says so in nix-support/failed.
 */
export async function finishSuccessfulBuild(
  db: Db,
  roots: GcRoots,
  row: QueuedBuildRow,
  seen: InspectedOutputs,
  opts: { cached: boolean; step: CopiedStep | null; coverage?: CoverageRecord | null },
): Promise<number> {
  const { facts, sizes } = seen;
  const evidence = await readEvidence(db, row, facts.products, Object.values(seen.outputs), opts.coverage);
  const status = facts.failedWithOutput ? BuildStatus.FailedWithOutput : BuildStatus.Success;
  finishBuild(
    db,
    row.id,
    {
      status,
      isCachedBuild: opts.cached,
      startTime: row.starttime ?? now(),
      stopTime: now(),
      size: sizes?.narSize ?? null,
      closureSize: sizes?.closureSize ?? null,
      releaseName: facts.releaseName,
      products: facts.products,
      metrics: [...facts.metrics, ...evidenceMetrics(evidence, facts.metrics)],
      evidence,
    },
    opts.step,
  );
  roots.add(Object.values(seen.outputs)); // before anyone can collect them; kept as long as the jobset's keepnr says
  return status;
}
