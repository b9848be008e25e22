import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { now, type Db } from '../core/db/database.ts';
import { buildOutputs } from '../core/db/builds.ts';
import { finishStepAndBuild, isFailedPath, startStep, type BuildResult } from '../core/db/queue.ts';
import type { Logger } from '../core/log.ts';
import type { BuildRow } from '../core/model/rows.ts';
import { BuildStatus } from '../core/model/status.ts';
import type { Nix } from '../core/nix/nix.ts';
import { readOutputFacts } from './post-process.ts';

export interface BuildContext {
  db: Db;
  nix: Nix;
  log: Logger;
  stateDir: string;
  machine: string;
  defaultTimeout: number;
  defaultMaxSilent: number;
}

export type BuildOutcome = 'finished' | 'interrupted';

/**
 * Builds one queued build on this machine and records the result. A build whose outputs
 * already exist finishes at once as cached; one stopped by `signal` is left queued (its
 * step marked aborted) so that it runs again after a restart.
 */
export async function buildLocally(ctx: BuildContext, build: BuildRow, signal: AbortSignal): Promise<BuildOutcome> {
  const log = ctx.log.child({ build: build.id, job: build.job });
  const outputs = Object.fromEntries(buildOutputs(ctx.db, build.id).map((o) => [o.name, o.path]));
  const outputPaths = Object.values(outputs);
  const started = now();

  const finish = async (status: number, isCached: boolean, startTime: number): Promise<void> => {
    const facts = status === BuildStatus.Success ? await readOutputFacts(outputs, log) : null;
    const sizes = status === BuildStatus.Success && outputPaths[0] ? await ctx.nix.pathSizes(outputPaths[0]).catch(() => null) : null;
    const result: BuildResult = {
      status: facts?.failedWithOutput ? BuildStatus.FailedWithOutput : status,
      isCachedBuild: isCached,
      startTime,
      stopTime: now(),
      size: sizes?.narSize ?? null,
      closureSize: sizes?.closureSize ?? null,
      releaseName: facts?.releaseName ?? null,
      products: facts?.products ?? [],
      metrics: facts?.metrics ?? [],
    };
    finishStepAndBuild(ctx.db, build.id, null, result);
  };

  if (outputPaths.some((p) => isFailedPath(ctx.db, p))) {
    await finish(BuildStatus.CachedFailure, true, started);
    log.info('cached failure');
    return 'finished';
  }
  const valid = await ctx.nix.validPaths(outputPaths);
  if (outputPaths.length > 0 && outputPaths.every((p) => valid.has(p))) {
    await finish(BuildStatus.Success, true, started);
    log.info('outputs already valid; recorded as cached');
    return 'finished';
  }

  const logDir = join(ctx.stateDir, 'logs', String(build.id));
  mkdirSync(logDir, { recursive: true });
  const logFor = (stepnr: number) => join('logs', String(build.id), `${stepnr}.log`);
  const stepnr = startStep(ctx.db, { buildId: build.id, drvPath: build.drvpath, machine: ctx.machine, system: build.system, logfileFor: logFor });
  const logRelative = logFor(stepnr);
  const logStream = createWriteStream(join(ctx.stateDir, logRelative));
  log.info({ step: stepnr }, 'building');
  const result = await ctx.nix.realise(build.drvpath, {
    onOutput: (chunk) => logStream.write(chunk),
    timeoutSeconds: build.timeout ?? ctx.defaultTimeout,
    maxSilentSeconds: build.maxsilent ?? ctx.defaultMaxSilent,
    signal,
  });
  await new Promise<void>((resolve) => logStream.end(resolve));

  if (result.aborted) {
    finishStepAndBuild(ctx.db, build.id, { stepnr, result: { status: BuildStatus.Aborted, errormsg: 'interrupted: hydrant was stopped; the build was re-queued', outputs: {} } }, null);
    log.info('interrupted; left queued');
    return 'interrupted';
  }
  const status = result.exitCode === 0 ? BuildStatus.Success : result.timedOut ? BuildStatus.TimedOut : BuildStatus.Failed;
  finishStepAndBuild(ctx.db, build.id, {
    stepnr,
    result: { status, errormsg: status === BuildStatus.Success ? null : `nix-store --realise exited with status ${result.exitCode}`, outputs: status === BuildStatus.Success ? outputs : {} },
  }, null);
  await finish(status, false, started);
  log.info({ status }, 'build finished');
  return 'finished';
}
