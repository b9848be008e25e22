import type { Request, Response, Router } from 'express';
import { buildSteps } from '../../core/db/builds.ts';
import { readStepLog } from '../../core/logs.ts';
import type { BuildStepRow } from '../../core/model/rows.ts';
import { requireBuild } from '../lookups.ts';
import { NotFound } from '../negotiate.ts';
import type { RouteContext } from '../route-context.ts';
import { logTail } from '../views/failure.ts';
import { links } from '../views/links.ts';
import { withoutTerminalCodes } from '../views/log-text.ts';

/** The step a log URL names: Hydra's /build/N/nixlog/STEP, or hydrant's /build/N/log?step=STEP. */
function askedStep(req: Request): string | undefined {
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

const PRETTY_LINES = 5000;

export function buildLogRoutes(router: Router, ctx: RouteContext): void {
  const { db, render, config } = ctx;
  const load = async (req: Request, res: Response) => {
    const build = requireBuild(ctx, res, req.params.id);
    const steps = buildSteps(db, build.id);
    const step = pickStep(req, steps, build.drvpath);
    let text = step ? readStepLog(config.stateDir, step.logfile) : null;
    // Outputs that already existed were built before (by another jobset, by hand): Nix kept that log.
    if (text === null && steps.length === 0 && build.finished && askedStep(req) === undefined) text = await ctx.nix.readLog(build.drvpath);
    // A running step may not have written its first byte yet: an empty log, not a missing one.
    if (text === null && !step?.busy) throw new NotFound(`log of build ${build.id}`);
    return { build, step, text: text ?? '' };
  };

  // Hydra's step-log URLs answer the same pages.
  router.get(['/build/:id/log', '/build/:id/nixlog/:step'], async (req, res) => {
    const { build, step, text } = await load(req, res);
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    // A VM test can log millions of lines; the page shows the end (where failures are), with
    // the original line numbers, and the raw log has everything.
    const first = Math.max(0, lines.length - PRETTY_LINES);
    const logBase = step ? links.stepLog(build.id, step.stepnr) : links.buildLog(build.id);
    res.vary('Accept');
    res.type('html').send(render('build-log', {
      title: `Log of build ${build.id}`,
      build: { id: build.id, url: links.build(build.id), job: build.job },
      step: step ? { stepnr: step.stepnr, drvpath: step.drvpath, busy: step.busy !== 0 } : null,
      lines: lines.slice(first).map((text, i) => ({ n: first + i + 1, text: withoutTerminalCodes(text) })),
      totalLines: lines.length,
      omitted: first,
      rawUrl: `${logBase}/raw`,
      tailUrl: `${logBase}/tail`,
      // The live stream continues exactly where the rendered text ends.
      liveUrl: step?.busy ? `${links.buildLog(build.id)}/live?step=${step.stepnr}&from=${Buffer.byteLength(text)}` : null,
    }));
  });

  router.get(['/build/:id/log/raw', '/build/:id/nixlog/:step/raw'], async (req, res) => {
    res.type('text/plain; charset=utf-8').send((await load(req, res)).text);
  });

  router.get(['/build/:id/log/tail', '/build/:id/nixlog/:step/tail'], async (req, res) => {
    const n = Math.max(1, Math.min(10_000, Number.parseInt(String(req.query.lines ?? '50'), 10) || 50));
    res.type('text/plain; charset=utf-8').send(logTail((await load(req, res)).text, n).map((l) => l + '\n').join(''));
  });
}
