import type { Request, Response } from 'express';
import { Readable } from 'node:stream';
import { buildSteps } from '../core/db/builds.ts';
import { logOfStepThatBuilt } from '../core/db/step-logs.ts';
import { stepLogFile, type LogFile } from '../core/logs.ts';
import type { BuildStepRow, BuildWithJobset } from '../core/model/rows.ts';
import { nixLogFile } from '../core/nix/log-dir.ts';
import { requireBuild } from './lookups.ts';
import { NotFound } from './negotiate.ts';
import type { RouteContext } from './route-context.ts';

/** The step a log URL names: Hydra's /build/N/nixlog/STEP, or hydrant's /build/N/log?step=STEP. */
export function askedStep(req: Request): string | undefined {
  const param = (req.params as Record<string, string | undefined>)['step'];
  return param ?? (typeof req.query.step === 'string' ? req.query.step : undefined);
}

/** The step whose log a build's log URL means: the one asked for, else the build's own derivation's last step. */
export function pickStep(req: Request, steps: BuildStepRow[], drvpath: string): BuildStepRow | undefined {
  const asked = askedStep(req);
  if (asked !== undefined) return steps.find((s) => String(s.stepnr) === asked);
  const own = steps.filter((s) => s.drvpath === drvpath);
  return (own.length ? own : steps).at(-1);
}

export interface LogSource {
  build: BuildWithJobset;
  step: BuildStepRow | undefined;
  /** The log as a file; null with `text` (a log only Nix could give) or for a running step with no byte yet. */
  file: LogFile | null;
  text: string | null;
  /** Set when the log is that of an earlier build of the same derivation (the outputs were already valid). */
  cachedFrom: { buildId: number | null } | null;
}

/**
 * Where the log a URL names comes from. A build whose outputs already existed has no step of
 * its own: it shows the log of the step that built that derivation (in this hydrant), else
 * the one kept where Nix keeps logs (another hydrant, or a build by hand), as Hydra does.
 */
export async function logSource(ctx: RouteContext, req: Request, res: Response): Promise<LogSource> {
  const build = requireBuild(ctx, res, req.params.id);
  const steps = buildSteps(ctx.db, build.id);
  const step = pickStep(req, steps, build.drvpath);
  const file = step ? stepLogFile(ctx.config.stateDir, step.logfile) : null;
  if (file || step?.busy) return { build, step, file, text: null, cachedFrom: null };
  if (steps.length === 0 && build.finished && askedStep(req) === undefined) {
    const earlier = logOfStepThatBuilt(ctx.db, build.drvpath);
    const earlierFile = earlier ? stepLogFile(ctx.config.stateDir, earlier.logfile) : null;
    if (earlierFile) return { build, step, file: earlierFile, text: null, cachedFrom: { buildId: earlier!.buildId } };
    const kept = nixLogFile(build.drvpath);
    if (kept) return { build, step, file: kept, text: null, cachedFrom: { buildId: null } };
    const text = await ctx.nix.readLog(build.drvpath);
    if (text !== null) return { build, step, file: null, text, cachedFrom: { buildId: null } };
  }
  throw new NotFound(`log of build ${build.id}`);
}

/** A log's text as bytes, whatever it comes from. */
export function sourceText(source: LogSource, open: (file: LogFile) => Readable): Readable {
  if (source.file) return open(source.file);
  return Readable.from([Buffer.from(source.text ?? '')]);
}
