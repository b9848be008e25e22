import { buildOutputs } from '../core/db/builds.ts';
import { now, type Db } from '../core/db/database.ts';
import type { GcRoots } from '../core/gc-roots.ts';
import { addFailedPaths } from '../core/db/failed-paths.ts';
import { bareResult, finishBuild, type CopiedStep } from '../core/db/queue.ts';
import type { Logger } from '../core/log.ts';
import { BuildStatus } from '../core/model/status.ts';
import type { Nix } from '../core/nix/nix.ts';
import { finishSuccessfulBuild } from './finish-build.ts';
import type { PoolMachine } from './machine-pool.ts';
import type { StepRun } from './run-step.ts';
import type { QueuedBuild, Step, StepGraph } from './step-graph.ts';

export interface ApplyContext {
  db: Db;
  nix: Nix;
  /** Outputs of builds that succeed are rooted at once; update-gc-roots.ts prunes later. */
  roots: GcRoots;
  log: Logger;
  graph: StepGraph;
  maxTries: number;
  retryIntervalSeconds: number;
  markUnreachable: (m: PoolMachine, message: string) => void;
  /** Kills running steps that no build needs any more. */
  stopSteps: (steps: Step[]) => void;
}

/** What a finished step means for the builds that needed it. Returns how many builds ended. */
export async function applyOutcome(ctx: ApplyContext, step: Step, machine: PoolMachine, run: StepRun): Promise<number> {
  const o = run.outcome;
  const copy = (status: number, errormsg: string | null): CopiedStep => ({
    drvPath: step.drvPath, status, errormsg, machine: machine.spec.name, system: step.system, logfile: run.logfile, propagatedFrom: run.buildId, startTime: null,
  });
  if (o.kind === 'success') {
    const done = [...step.builds].filter((b) => b.top === step);
    ctx.graph.completeStep(step);
    for (const b of done) {
      const outputs = Object.fromEntries(buildOutputs(ctx.db, b.row.id).map((x) => [x.name, x.path]));
      try {
        await finishSuccessfulBuild(ctx.db, ctx.nix, ctx.roots, b.row, outputs, { cached: false, step: b.row.id === run.buildId ? null : copy(BuildStatus.Success, null), coverage: run.coverage });
      } finally {
        // Only now: a tick while the result was being recorded would take the build in again, as cached.
        ctx.stopSteps(ctx.graph.removeBuild(b.row.id));
      }
    }
    return done.length;
  }
  if (o.kind === 'stopped') {
    step.running = false;
    if (step.builds.size === 0) ctx.graph.removeStep(step);
    return 0;
  }
  if (o.kind === 'transient') {
    if (o.unreachable) ctx.markUnreachable(machine, o.message);
    step.tries++;
    step.running = false;
    if (step.tries < ctx.maxTries) {
      const delay = ctx.retryIntervalSeconds * 2 ** (step.tries - 1);
      step.notBefore = Date.now() + delay * 1000;
      ctx.log.warn({ drv: step.drvPath, tries: step.tries, retryInSeconds: delay, err: o.message }, 'build step failed for a transient reason; will retry');
      return 0;
    }
    return failBuilds(ctx, step, BuildStatus.Aborted, `${o.message} (gave up after ${step.tries} tries)`, run.buildId, copy);
  }
  if (o.status === BuildStatus.Failed) addFailedPaths(ctx.db, Object.values(step.outputs));
  return failBuilds(ctx, step, o.status, o.message, run.buildId, copy);
}

/**
 * Ends every build that needed a step which cannot succeed: the build of that derivation
 * with the step's status; every build depending on it as Hydra does: "dependency failed"
 * (2) when the step failed (1, or 8, a failure remembered), and otherwise the step's own
 * status, since a timeout, a limit, an unsupported system or giving up on a machine says
 * the same about every build that needs the step. A remembered failure (8) ends the builds
 * as Hydra does too: 1 and 2, marked cached; only the step rows say 8.
 */
export function failBuilds(ctx: Pick<ApplyContext, 'db' | 'graph' | 'log' | 'stopSteps'>, step: Step, status: number, message: string, ranIn: number | null, copy: (status: number, msg: string | null) => CopiedStep): number {
  const builds: QueuedBuild[] = [...step.builds];
  // 8 is a step status only (Hydra: "steps only"): the build that failed before is failed
  // again (1), marked cached, and its step row says 8.
  const cached = status === BuildStatus.CachedFailure;
  const own = cached ? BuildStatus.Failed : status;
  const propagate = own === BuildStatus.Failed ? BuildStatus.DependencyFailed : own;
  for (const b of builds) {
    ctx.stopSteps(ctx.graph.removeBuild(b.row.id).filter((s) => s !== step));
    const buildStatus = b.top === step ? own : propagate;
    finishBuild(ctx.db, b.row.id, bareResult(buildStatus, b.row.starttime ?? now(), cached), b.row.id === ranIn ? null : copy(status, message));
  }
  ctx.graph.removeStep(step);
  ctx.log.info({ drv: step.drvPath, status, builds: builds.map((b) => b.row.id) }, 'build step failed; its builds are finished');
  return builds.length;
}
