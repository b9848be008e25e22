import type { Router, Request } from 'express';
import { buildSteps, getBuild } from '../../core/db/builds.ts';
import { readStepLog } from '../../core/logs.ts';
import type { BuildStepRow } from '../../core/model/rows.ts';
import { intParam, NotFound } from '../negotiate.ts';
import type { RouteContext } from '../route-context.ts';
import { links } from '../views/links.ts';

/** The step whose log a build's log URL means: the one asked for, else the build's own derivation's last step. */
function pickStep(req: Request, steps: BuildStepRow[], drvpath: string): BuildStepRow | undefined {
  if (typeof req.query.step === 'string') return steps.find((s) => String(s.stepnr) === req.query.step);
  const own = steps.filter((s) => s.drvpath === drvpath);
  return (own.length ? own : steps).at(-1);
}

export function buildLogRoutes(router: Router, { db, render, config }: RouteContext): void {
  const load = (req: Request) => {
    const build = getBuild(db, intParam(req.params.id, 'build'));
    if (!build) throw new NotFound(`build ${req.params.id}`);
    const step = pickStep(req, buildSteps(db, build.id), build.drvpath);
    const text = step ? readStepLog(config.stateDir, step.logfile) : null;
    return { build, step, text };
  };

  router.get('/build/:id/log', (req, res) => {
    const { build, step, text } = load(req);
    if (text === null) throw new NotFound(`log of build ${build.id}`);
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    res.vary('Accept');
    res.type('html').send(render('build-log', {
      title: `Log of build ${build.id}`,
      build: { id: build.id, url: links.build(build.id), job: build.job },
      step: step ? { stepnr: step.stepnr, drvpath: step.drvpath, busy: step.busy !== 0 } : null,
      lines: lines.map((text, i) => ({ n: i + 1, text })),
      rawUrl: `${links.buildLog(build.id)}/raw${step ? `?step=${step.stepnr}` : ''}`,
    }));
  });

  router.get('/build/:id/log/raw', (req, res) => {
    const { build, text } = load(req);
    if (text === null) throw new NotFound(`log of build ${build.id}`);
    res.type('text/plain; charset=utf-8').send(text);
  });
}
