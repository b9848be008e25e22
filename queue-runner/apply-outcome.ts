import { now, type Db } from '../core/db/database.ts';
import type { GcRoots } from '../core/gc-roots.ts';
import { addFailedPaths } from '../core/db/failed-paths.ts';
import { bareResult, finishBuild, type CopiedStep } from '../core/db/build-results.ts';
import type { Logger } from '../core/log.ts';
import { BuildStatus } from '../core/model/status.ts';
import type { Nix } from '../core/nix/nix.ts';
import { finishSuccessfulBuild, inspectOutputs } from './finish-build.ts';
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

/** Where a step ran, when it ran at all (a cached or unsupported one never did). */
export interface StepRanIn {
  buildId: number;
  machine: string;
  logfile: string | null;
}

/** The step row recorded in a build that needed the step but did not run it (Hydra's propagated steps). */
function copiedStep(step: Step, status: number, errormsg: string | null, ran: StepRanIn | null): CopiedStep {
  return {
    drvPath: step.drvPath,
    status,
    errormsg,
    machine: ran?.machine ?? '',
    system: step.system,
    logfile: ran?.logfile ?? null,
    propagatedFrom: ran?.buildId ?? null,
    startTime: null,
  };
}

/** What a finished step means for the builds that needed it. Returns how many builds ended. */
export async function applyOutcome(ctx: ApplyContext, step: Step, machine: PoolMachine, run: StepRun): Promise<number> {
  const o = run.outcome;
  const ran: StepRanIn = { buildId: run.buildId, machine: machine.spec.name, logfile: run.logfile };
  if (o.kind === 'success') {
    // The graph completed the step already, when runStep said it was built (onBuilt).
    const done = [...step.builds].filter((b) => b.top === step);
    // Every build here is of the step's derivation: one look at its outputs serves them all.
    const seen = await inspectOutputs(ctx.nix, step.outputs, o.facts);
    for (const b of done) {
      const copied = b.row.id === run.buildId ? null : copiedStep(step, BuildStatus.Success, null, ran);
      try {
        await finishSuccessfulBuild(ctx.db, ctx.roots, b.row, seen, {
          cached: false,
          step: copied,
          coverage: run.coverage,
        });
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
      ctx.log.warn(
        { drv: step.drvPath, tries: step.tries, retryInSeconds: delay, err: o.message },
        'build step failed for a transient reason; will retry',
      );
      return 0;
    }
    return failBuilds(ctx, step, BuildStatus.Aborted, `${o.message} (gave up after ${step.tries} tries)`, ran);
  }
  if (o.status === BuildStatus.Failed) addFailedPaths(ctx.db, Object.values(step.outputs));
  return failBuilds(ctx, step, o.status, o.message, ran);
}

/**
 * Ends every build that needed a step which cannot succeed: the build of that derivation
 * with the step's status; every build depending on it as Hydra does: "dependency failed"
 * (2) when the step failed (1, or 8, a failure remembered), and otherwise the step's own
 * status, since a timeout, a limit, an unsupported system or giving up on a machine says
 * the same about every build that needs the step. A remembered failure (8) ends the builds
 * as Hydra does too: 1 and 2, marked cached; only the step rows say 8.
 */
export function failBuilds(
  ctx: Pick<ApplyContext, 'db' | 'graph' | 'log' | 'stopSteps'>,
  step: Step,
  status: number,
  message: string,
  ran: StepRanIn | null,
): number {
  const builds: QueuedBuild[] = [...step.builds];
  // 8 is a step status only (Hydra: "steps only"): the build that failed before is failed
  // again (1), marked cached, and its step row says 8.
  const cached = status === BuildStatus.CachedFailure;
  const own = cached ? BuildStatus.Failed : status;
  const propagate = own === BuildStatus.Failed ? BuildStatus.DependencyFailed : own;
  for (const b of builds) {
    ctx.stopSteps(ctx.graph.removeBuild(b.row.id).filter((s) => s !== step));
    const buildStatus = b.top === step ? own : propagate;
    const copied = b.row.id === ran?.buildId ? null : copiedStep(step, status, message, ran);
    finishBuild(ctx.db, b.row.id, bareResult(buildStatus, b.row.starttime ?? now(), cached), copied);
  }
  ctx.graph.removeStep(step);
  ctx.log.info(
    { drv: step.drvPath, status, builds: builds.map((b) => b.row.id) },
    'build step failed; its builds are finished',
  );
  return builds.length;
}
