// Writing the jobs' .drv files, for eval-jobs.ts: the first evaluation's writer beside the
// walk, and what it could not write after it.
import { existsSync } from 'node:fs';
import type { JobsRunner } from './eval-jobs.ts';
import { EvalError, type EvaluatedJob } from './nix.ts';

/**
 * Starts the one process that writes every job's .drv. It is an optimisation only: whatever
 * stops it (a job tryEval cannot catch, a limit) leaves its .drv files to writeMissingDrvs.
 */
export async function startWriter(runner: JobsRunner): Promise<Set<string>> {
  try {
    const r = await runner.run({ mode: 'write' }, { writeDrvs: true });
    return new Set(r.ok ? (r.value as string[]) : []);
  } catch {
    return new Set();
  }
}

/** About what Nix 2.8 takes to write one .drv here: a lock, a file and a transaction on its store database. */
const WRITE_MS_PER_DRV = 0.4;

/**
 * Writes the .drv files not in the store yet, when the writer could not. Writing means
 * evaluating those jobs again in read-write mode, and Nix's store database takes one writer
 * at a time: for 5,000 cheap jobs, two processes writing 2,500 each took 2.5 s where one
 * writing 5,000 took 2.0 s, the other sleeping on "database is busy". So one process writes,
 * unless evaluating the jobs again costs more than writing them (a nixpkgs-sized expression,
 * judged by how long the walk took per job); then `shards` processes share them, to evaluate
 * in parallel again. A .drv that exists is taken as valid: Nix registers a .drv right after
 * writing it, and asking Nix about 5,000 paths costs more than the walk.
 */
export async function writeMissingDrvs(
  runner: JobsRunner,
  candidates: { job: EvaluatedJob; path: string[] }[],
  cost: { shards: number; walkMsPerJob: number },
): Promise<void> {
  // existsSync: 5,000 stat calls in a loop take a fifth of the time of 5,000 promises.
  const missing = candidates.filter((c) => !existsSync(c.job.drvPath)).map((c) => c.path);
  if (missing.length === 0) return;
  const writers = drvWriters(missing.length, cost);
  const size = Math.ceil(missing.length / writers);
  const chunks = Array.from({ length: Math.ceil(missing.length / size) }, (_, i) =>
    missing.slice(i * size, (i + 1) * size),
  );
  const runs = await Promise.all(
    chunks.map((chunk) => runner.run({ mode: 'drvs', paths: chunk }, { writeDrvs: true })),
  );
  for (const r of runs) if (!r.ok) throw new EvalError(`cannot write the jobs' derivations: ${r.message}`, r.message);
}

/** How many Nix processes write `missing` .drv files (see writeMissingDrvs). */
export function drvWriters(missing: number, cost: { shards: number; walkMsPerJob: number }): number {
  const evaluateAgainMs = cost.walkMsPerJob * cost.shards * missing; // CPU time: the walk ran on `shards` processes
  return evaluateAgainMs > missing * WRITE_MS_PER_DRV ? cost.shards : 1;
}
