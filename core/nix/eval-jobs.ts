import { EvalError, type EvalJobsResult, type EvaluatedJob, type JobError } from './nix.ts';

/** What eval-jobs.nix is asked to do (see the comment at its top). */
export type JobsRequest =
  | { mode: 'walk'; path: string[]; only: string[] | null }
  | { mode: 'names'; path: string[] }
  | { mode: 'strict'; path: string[] }
  | { mode: 'drvs'; paths: string[][] };

/** One run of eval-jobs.nix: its JSON answer, or Nix's error message. */
export type JobsRun =
  | { ok: true; value: unknown }
  | { ok: false; message: string; /** Set when a limit stopped Nix: retrying would only hit it again. */ limitHit: boolean };

export interface JobsRunner {
  run(request: JobsRequest, options: { writeDrvs: boolean }): Promise<JobsRun>;
  validPaths(paths: readonly string[]): Promise<Set<string>>;
}

/** A walk's answer: jobs and failed jobs carry their attribute path; errors already explained do not. */
type WalkEntry = (EvaluatedJob & { path: string[] }) | { name: string; path: string[]; error: string } | JobError;

/** Per-job messages are looked up one Nix run each; past this many, the generic one stays. */
const MAX_DETAILED_ERRORS = 50;
/** .drv files are written by this many Nix processes at once (the store's writes are latency-bound). */
const DRV_WRITERS = 4;

/**
 * Evaluates every job so that one failing job never hides the others. The fast path is one
 * read-only walk. A job that throws is caught there (tryEval) and asked again alone for
 * Nix's real message. An error tryEval cannot catch (abort, a type error) fails the whole
 * walk; then the attribute tree is bisected until the failing jobs are found, so the cost
 * is a few runs per broken job, not one per job. Finally the .drv files of jobs not yet in
 * the store are written, in parallel, for the queue runner to build.
 */
export async function evaluateJobsIsolated(runner: JobsRunner): Promise<EvalJobsResult> {
  const entries: WalkEntry[] = [];
  const first = await runner.run({ mode: 'walk', path: [], only: null }, { writeDrvs: false });
  if (first.ok) entries.push(...(first.value as WalkEntry[]));
  else {
    if (first.limitHit) throw new EvalError(first.message, first.message);
    const root = await runner.run({ mode: 'names', path: [] }, { writeDrvs: false });
    if (!root.ok) throw new EvalError(root.message, root.message);
    const { isDerivation, names } = root.value as { isDerivation: boolean; names: string[] };
    if (isDerivation || names.length === 0) throw new EvalError(first.message, first.message);
    await bisect(runner, [], names, first.message, entries);
  }
  const result: EvalJobsResult = { jobs: [], errors: [] };
  let detailed = 0;
  const jobPaths: string[][] = [];
  for (const e of entries) {
    if (!('error' in e)) {
      const { path, ...job } = e;
      result.jobs.push(job);
      jobPaths.push(path);
    }
    else if (!('path' in e)) result.errors.push(e);
    else result.errors.push(detailed++ < MAX_DETAILED_ERRORS ? await explain(runner, e) : { name: e.name, error: e.error });
  }
  await writeMissingDrvs(runner, result.jobs, jobPaths);
  return result;
}

/** `names` under `path` failed together (with `message`); narrows down which of them fail. */
async function bisect(runner: JobsRunner, path: string[], names: string[], message: string, out: WalkEntry[]): Promise<void> {
  if (names.length === 1) return isolateNode(runner, [...path, names[0]!], message, out);
  const half = Math.ceil(names.length / 2);
  for (const part of [names.slice(0, half), names.slice(half)]) {
    const r = await runner.run({ mode: 'walk', path, only: part }, { writeDrvs: false });
    if (r.ok) out.push(...(r.value as WalkEntry[]));
    else if (r.limitHit) throw new EvalError(r.message, r.message);
    else await bisect(runner, path, part, r.message, out);
  }
}

async function isolateNode(runner: JobsRunner, path: string[], message: string, out: WalkEntry[]): Promise<void> {
  const name = path.join('.');
  const node = await runner.run({ mode: 'names', path }, { writeDrvs: false });
  if (!node.ok) return void out.push({ name, path, error: node.message });
  const { isDerivation, names } = node.value as { isDerivation: boolean; names: string[] };
  if (isDerivation || names.length === 0) return void out.push(await explain(runner, { name, path, error: message }));
  await bisect(runner, path, names, message, out);
}

/** Nix's own message for a job that failed, by evaluating it alone without tryEval. */
async function explain(runner: JobsRunner, e: { name: string; path: string[]; error: string }): Promise<JobError> {
  const r = await runner.run({ mode: 'strict', path: e.path }, { writeDrvs: false });
  return { name: e.name, error: r.ok ? e.error : r.message };
}

async function writeMissingDrvs(runner: JobsRunner, jobs: EvaluatedJob[], paths: string[][]): Promise<void> {
  if (jobs.length === 0) return;
  const valid = await runner.validPaths([...new Set(jobs.map((j) => j.drvPath))]);
  const missing = paths.filter((_, i) => !valid.has(jobs[i]!.drvPath));
  const size = Math.ceil(missing.length / DRV_WRITERS);
  const chunks = Array.from({ length: Math.ceil(missing.length / Math.max(1, size)) }, (_, i) => missing.slice(i * size, (i + 1) * size));
  const runs = await Promise.all(chunks.map((paths) => runner.run({ mode: 'drvs', paths }, { writeDrvs: true })));
  const failed = runs.find((r) => !r.ok);
  if (failed && !failed.ok) throw new EvalError(`cannot write the jobs' derivations: ${failed.message}`, failed.message);
}
