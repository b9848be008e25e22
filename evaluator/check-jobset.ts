import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../core/db/database.ts';
import { evalJobsJson, listEvals, registerEvaluation } from '../core/db/evals.ts';
import {
  disableJobset,
  jobsetInputs,
  markChecked,
  markEvaluationInterrupted,
  markEvaluationStarted,
} from '../core/db/jobsets.ts';
import { GitError } from '../core/git.ts';
import type { GcRoots } from '../core/gc-roots.ts';
import type { Logger } from '../core/log.ts';
import type { JobsetRow } from '../core/model/rows.ts';
import { EvalError, type Nix } from '../core/nix/nix.ts';
import { DECL_JOBSET, syncDeclfile } from './declarative.ts';
import { fetchInputs, InputError } from './fetch-inputs.ts';
import type { PathRules } from '../core/jobset-specs/path-rules.ts';

export interface CheckContext {
  db: Db;
  nix: Nix;
  log: Logger;
  stateDir: string;
  /** Where path inputs may point: checked when a declfile is read and again when an input is fetched. */
  paths: PathRules;
  /** Nix's restrict-eval for evaluations, with the host paths allowed besides the inputs; null turns it off. */
  restrictEval: { hostPaths: readonly string[] } | null;
  /** The .drv files of queued builds are rooted as soon as they are registered. */
  roots: GcRoots;
  /** Memory and time limits per Nix process of an evaluation (0: none), and how many run at once. */
  limits: { memoryMiB: number; timeoutSeconds: number; workers: number };
  /** Aborted when the evaluator stops: running evaluations are killed, not waited for. */
  signal?: AbortSignal;
}

export type CheckOutcome =
  | { kind: 'evaluated'; evalId: number; newBuilds: number; jobs: number; errors: number }
  | { kind: 'unchanged' }
  | { kind: 'declared'; jobsets: number }
  | { kind: 'failed'; error: string };

/**
 * One check of one jobset: fetch its inputs; if they are the same as last time, record the
 * check and stop; otherwise evaluate and register the evaluation. Any failure is recorded
 * on the jobset (shown on its page) and the next check tries again.
 */
export async function checkJobset(ctx: CheckContext, jobset: JobsetRow): Promise<CheckOutcome> {
  const log = ctx.log.child({ jobset: `${jobset.project}:${jobset.name}` });
  markEvaluationStarted(ctx.db, jobset.id);
  const tmpDir = join(ctx.stateDir, 'tmp');
  mkdirSync(tmpDir, { recursive: true });
  const started = Date.now();
  try {
    const fetched = await fetchInputs(
      {
        db: ctx.db,
        nix: ctx.nix,
        gitCacheDir: join(ctx.stateDir, 'git'),
        tmpDir,
        stateDir: ctx.stateDir,
        project: jobset.project,
        // A declarative jobset's spec is read from the store here, not by an evaluation.
        copyLater: jobset.name !== DECL_JOBSET,
      },
      jobsetInputs(ctx.db, jobset.id),
    );
    const checkoutSeconds = Math.round((Date.now() - started) / 1000);
    if (fetched.hash === jobset.lastinputshash) {
      markChecked(ctx.db, jobset.id, { error: null, inputsHash: fetched.hash });
      log.debug('inputs unchanged; no new evaluation');
      return { kind: 'unchanged' };
    }
    const exprInput = fetched.resolved.find((r) => r.name === jobset.nixexprinput);
    if (!exprInput?.path) throw new InputError(`nixexprinput "${jobset.nixexprinput}" is not a git or path input`);
    const exprPath = join(exprInput.path, jobset.nixexprpath ?? 'release.nix');
    // Not in the store yet when the evaluation copies it: its directory has the same contents.
    const copy = fetched.copies.find((c) => c.storePath === exprInput.path);
    if (!existsSync(copy ? join(copy.hostPath, jobset.nixexprpath ?? 'release.nix') : exprPath))
      throw new InputError(`${jobset.nixexprpath} does not exist in input "${jobset.nixexprinput}"`);
    if (jobset.name === DECL_JOBSET) {
      const jobsets = syncDeclfile(ctx.db, jobset, exprInput.path, log, ctx.paths);
      markChecked(ctx.db, jobset.id, { error: null, inputsHash: fetched.hash });
      log.info({ jobsets }, 'declarative jobsets updated');
      return { kind: 'declared', jobsets };
    }

    const evalStarted = Date.now();
    // Restricted to the jobset's own inputs (their store paths, their git URLs) and the paths the admin allowed.
    const restrict = ctx.restrictEval
      ? {
          allowedPaths: [...fetched.resolved.flatMap((r) => (r.path ? [r.path] : [])), ...ctx.restrictEval.hostPaths],
          allowedUris: fetched.resolved.flatMap((r) => (r.type === 'git' && r.uri ? [r.uri] : [])),
        }
      : undefined;
    // A jobset's first evaluation writes every .drv; later ones mostly find them written. The
    // first one's are all new builds, so their roots are made while Nix still writes them.
    const previousEval = listEvals(ctx.db, jobset.id, 1)[0];
    const firstEvaluation = previousEval === undefined;
    const rootedEarly = new Set<string>();
    const rootingBegan = Date.now();
    const result = await ctx.nix.evaluateJobs({
      exprPath,
      args: fetched.args,
      timeoutSeconds: ctx.limits.timeoutSeconds,
      memoryLimitMiB: ctx.limits.memoryMiB,
      workers: ctx.limits.workers,
      signal: ctx.signal,
      restrict,
      copies: fetched.copies,
      // Jobs whose derivation did not change keep their build: Nix only names them.
      known: previousEval && evalJobsJson(ctx.db, previousEval.id),
      expectNewDrvs: firstEvaluation,
      onJobs: firstEvaluation
        ? (jobs) => {
            for (const job of jobs) rootedEarly.add(job.drvPath);
            ctx.roots.add(rootedEarly);
          }
        : undefined,
    });
    const evalSeconds = Math.round((Date.now() - evalStarted) / 1000);
    const { evalId, newBuildIds, newDrvPaths } = registerEvaluation(ctx.db, {
      jobsetId: jobset.id,
      inputsHash: fetched.hash,
      checkoutSeconds,
      evalSeconds,
      nixexprinput: jobset.nixexprinput ?? '',
      nixexprpath: jobset.nixexprpath ?? '',
      inputs: fetched.resolved,
      jobs: result.jobs,
      errors: result.errors,
      unchanged: result.unchanged,
      previousEvalId: previousEval?.id,
    });
    // Until a build is built, a garbage collection must not take the .drv it is built from.
    // Only new builds: a reused one was rooted when it was new, and stays so while queued
    // (a root costs 40-200 µs of file-system work here; 5,000 of them would be 0.2-1 s).
    // Those rooted early are renewed, in case an update of the roots pruned them meanwhile.
    // Only if an update of the roots began meanwhile (0.02 s for 5,000 roots otherwise spent).
    if (rootedEarly.size && ctx.roots.updatedSince(rootingBegan))
      ctx.roots.renew(newDrvPaths.filter((p) => rootedEarly.has(p)));
    ctx.roots.add(newDrvPaths.filter((p) => !rootedEarly.has(p)));
    markChecked(ctx.db, jobset.id, { error: null, inputsHash: fetched.hash });
    if (jobset.enabled === 2) disableJobset(ctx.db, jobset.id); // one-shot: evaluated once
    const jobCount = result.jobs.length + result.unchanged.length;
    log.info(
      { eval: evalId, jobs: jobCount, newBuilds: newBuildIds.length, errors: result.errors.length },
      'evaluation registered',
    );
    return {
      kind: 'evaluated',
      evalId,
      newBuilds: newBuildIds.length,
      jobs: jobCount,
      errors: result.errors.length,
    };
  } catch (e) {
    if (ctx.signal?.aborted) {
      markEvaluationInterrupted(ctx.db, jobset.id);
      log.info('evaluation interrupted by shutdown; it runs again at the next start');
      return { kind: 'failed', error: 'interrupted by shutdown' };
    }
    if (!(e instanceof EvalError || e instanceof InputError || e instanceof GitError)) {
      markChecked(ctx.db, jobset.id, { error: `internal error: ${(e as Error).message}` });
      log.error({ err: e }, 'evaluation failed unexpectedly');
      return { kind: 'failed', error: (e as Error).message };
    }
    const fetchError = e instanceof EvalError ? null : e.message;
    const error = e instanceof EvalError ? `evaluation failed:\n${e.message}` : e.message;
    markChecked(ctx.db, jobset.id, { error, fetchError });
    log.warn({ error }, 'jobset check failed');
    return { kind: 'failed', error };
  }
}
