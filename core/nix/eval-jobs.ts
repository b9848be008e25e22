import { startWriter, writeMissingDrvs } from './eval-writes.ts';
import { EvalError, type EvalJobsResult, type EvaluatedJob, type JobError } from './nix.ts';

/** What eval-jobs.nix is asked to do (see the comment at its top). */
export type JobsRequest =
  | { mode: 'walk'; path: string[]; only: string[] | null; shard?: [number, number] }
  | { mode: 'names'; path: string[] }
  | { mode: 'strict'; path: string[] }
  | { mode: 'drvs'; paths: string[][] }
  | { mode: 'write' };

/** One run of eval-jobs.nix: its JSON answer, or Nix's error message. */
export type JobsRun =
  | { ok: true; value: unknown }
  | {
      ok: false;
      message: string;
      /** Set when a limit stopped Nix: retrying would only hit it again. */ limitHit: boolean;
    };

export interface JobsRunOptions {
  /** Nix may write to the store (--read-write-mode), so forcing drvPath writes the .drv. */
  writeDrvs: boolean;
  /** Kills the run; it then answers with limitHit. */
  signal?: AbortSignal;
}

export interface JobsRunner {
  run(request: JobsRequest, options: JobsRunOptions): Promise<JobsRun>;
}

/** A job as eval-jobs.nix describes it: only the meta fields the job sets. */
type WalkedJob = Omit<EvaluatedJob, MetaField | 'isChannel'> & {
  path: string[];
  meta: Partial<Pick<EvaluatedJob, MetaField>> & { isHydraChannel?: boolean };
};
type MetaField =
  | 'description'
  | 'license'
  | 'homepage'
  | 'maintainers'
  | 'schedulingPriority'
  | 'timeout'
  | 'maxSilent';

/**
 * A walk's answer: jobs and failed jobs carry their attribute path; errors already explained do
 * not; a job whose drvPath is the known one is its name alone.
 */
type WalkEntry = WalkedJob | { name: string; path: string[]; error: string } | JobError | string;

/** Appends without spreading: a spread of a 100,000-job answer overflows the stack. */
function append(out: WalkEntry[], value: unknown): void {
  for (const e of value as WalkEntry[]) out.push(e);
}

/** Field by field: a rest-spread copy of 5,000 parsed jobs took 40 ms. */
function evaluatedJob(j: WalkedJob): EvaluatedJob {
  const meta = j.meta;
  return {
    name: j.name,
    nixName: j.nixName,
    system: j.system,
    drvPath: j.drvPath,
    outputs: j.outputs,
    description: meta.description ?? null,
    license: meta.license ?? null,
    homepage: meta.homepage ?? null,
    maintainers: meta.maintainers ?? null,
    schedulingPriority: meta.schedulingPriority ?? null,
    timeout: meta.timeout ?? null,
    maxSilent: meta.maxSilent ?? null,
    isChannel: meta.isHydraChannel ?? false,
    isAggregate: j.isAggregate,
    constituents: j.constituents,
  };
}

/** Per-job messages are looked up one Nix run each; past this many, the generic one stays. */
const MAX_DETAILED_ERRORS = 50;

/** How an evaluation runs (see EvalRequest in nix.ts). */
export interface IsolatedEvalOptions {
  workers?: number;
  signal?: AbortSignal;
  expectNewDrvs?: boolean;
  onJobs?: (jobs: readonly EvaluatedJob[]) => void;
}

/**
 * Evaluates every job so that one failing job never hides the others. The top-level
 * attributes are split among `workers` Nix processes that walk their share at once. A job
 * that throws is caught in the walk (tryEval) and asked again alone for Nix's real message.
 * An error tryEval cannot catch (abort, a type error) fails its whole share; then that share
 * is bisected until the failing jobs are found, so the cost is a few runs per broken job,
 * not one per job.
 *
 * The .drv files the queue runner builds from are written on the way. Usually most exist
 * already and the walkers run read-write, so each writes the few that are new itself: a
 * separate writer would be one more Nix process start, and two walkers rarely write at the
 * same moment. When most are expected to be new (expectNewDrvs), writing dominates and Nix's
 * store database takes one writer at a time: then one process only forces every job's
 * drvPath, as nix-instantiate does, while the other workers walk read-only beside it (with
 * one worker, it walks read-write). What that writer could not write is written after the
 * walk (writeMissingDrvs).
 */
export async function evaluateJobsIsolated(
  outer: JobsRunner,
  options: IsolatedEvalOptions = {},
): Promise<EvalJobsResult> {
  const { signal } = options;
  // One failed shard ends the evaluation: its siblings and the writer are stopped rather than left running.
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) abort.abort();
  const runner: JobsRunner = { run: (request, opts) => outer.run(request, { ...opts, signal: abort.signal }) };
  try {
    const result = await walkAndWrite(runner, abort, options);
    if (signal?.aborted) throw new EvalError('evaluation stopped', '');
    return result;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** Whether the walks run read-write (most .drv files exist) rather than beside one writer. */
function walksWrite(options: Pick<IsolatedEvalOptions, 'workers' | 'expectNewDrvs'>): boolean {
  // The writer is one of the workers: with one, that one walks and writes.
  return !(options.expectNewDrvs ?? false) || Math.max(1, options.workers ?? 2) === 1;
}

async function walkAndWrite(
  runner: JobsRunner,
  abort: AbortController,
  options: IsolatedEvalOptions,
): Promise<EvalJobsResult> {
  const workers = Math.max(1, options.workers ?? 2);
  const walkWrites = walksWrite(options);
  const withWriter = !walkWrites;
  const shards = withWriter ? workers - 1 : workers;
  const writer = withWriter ? startWriter(runner) : null;
  try {
    const walkStarted = performance.now();
    const entries = (
      await Promise.all(
        Array.from({ length: shards }, async (_, i) => {
          const out: WalkEntry[] = [];
          const r = await runner.run(
            { mode: 'walk', path: [], only: null, shard: [i, shards] },
            { writeDrvs: walkWrites },
          );
          if (r.ok) append(out, r.value);
          else if (r.limitHit) throw new EvalError(r.message, r.message);
          else await isolateShard(runner, i, shards, r.message, out, walkWrites);
          return out;
        }),
      )
    ).flat();
    const walkMs = performance.now() - walkStarted;
    const result: EvalJobsResult = { jobs: [], errors: [], unchanged: [] };
    const unexplained: { name: string; path: string[]; error: string }[] = [];
    const jobPaths: string[][] = [];
    for (const e of entries) {
      if (typeof e === 'string') result.unchanged.push(e);
      else if (!('error' in e)) {
        result.jobs.push(evaluatedJob(e));
        jobPaths.push(e.path);
      } else if ('path' in e && unexplained.length < MAX_DETAILED_ERRORS) unexplained.push(e);
      else result.errors.push({ name: e.name, error: e.error });
    }
    options.onJobs?.(result.jobs);
    for (let i = 0; i < unexplained.length; i += shards) {
      result.errors.push(...(await Promise.all(unexplained.slice(i, i + shards).map((e) => explain(runner, e)))));
    }
    if (writer) {
      const written = await writer;
      const unwritten = result.jobs.flatMap((job, i) =>
        written.has(job.drvPath) ? [] : [{ job, path: jobPaths[i]! }],
      );
      await writeMissingDrvs(runner, unwritten, { shards, walkMsPerJob: walkMs / Math.max(1, entries.length) });
    }
    return result;
  } catch (e) {
    abort.abort();
    await writer;
    throw e;
  }
}

/** A shard failed as a whole: either the expression itself is broken, or some of its jobs are. */
async function isolateShard(
  runner: JobsRunner,
  index: number,
  shards: number,
  message: string,
  out: WalkEntry[],
  writeDrvs: boolean,
): Promise<void> {
  const root = await runner.run({ mode: 'names', path: [] }, { writeDrvs: false });
  if (!root.ok) throw new EvalError(root.message, root.message);
  const { isDerivation, names } = root.value as { isDerivation: boolean; names: string[] };
  const mine = names.filter((_, k) => k % shards === index);
  if (isDerivation || mine.length === 0) throw new EvalError(message, message);
  await bisect(runner, [], mine, message, out, writeDrvs);
}

/** `names` under `path` failed together (with `message`); narrows down which of them fail. */
async function bisect(
  runner: JobsRunner,
  path: string[],
  names: string[],
  message: string,
  out: WalkEntry[],
  writeDrvs: boolean,
): Promise<void> {
  if (names.length === 1) return isolateNode(runner, [...path, names[0]!], message, out, writeDrvs);
  const half = Math.ceil(names.length / 2);
  for (const part of [names.slice(0, half), names.slice(half)]) {
    const r = await runner.run({ mode: 'walk', path, only: part }, { writeDrvs });
    if (r.ok) append(out, r.value);
    else if (r.limitHit) throw new EvalError(r.message, r.message);
    else await bisect(runner, path, part, r.message, out, writeDrvs);
  }
}

async function isolateNode(
  runner: JobsRunner,
  path: string[],
  message: string,
  out: WalkEntry[],
  writeDrvs: boolean,
): Promise<void> {
  const name = path.join('.');
  const node = await runner.run({ mode: 'names', path }, { writeDrvs: false });
  if (!node.ok) return void out.push({ name, path, error: node.message });
  const { isDerivation, names } = node.value as { isDerivation: boolean; names: string[] };
  if (isDerivation || names.length === 0) return void out.push(await explain(runner, { name, path, error: message }));
  await bisect(runner, path, names, message, out, writeDrvs);
}

/** Nix's own message for a job that failed, by evaluating it alone without tryEval. */
async function explain(runner: JobsRunner, e: { name: string; path: string[]; error: string }): Promise<JobError> {
  const r = await runner.run({ mode: 'strict', path: e.path }, { writeDrvs: false });
  return { name: e.name, error: r.ok ? e.error : r.message };
}
