import type { Router } from 'express';
import { runningSteps } from '../../core/db/queue-status.ts';
import { sendPage } from '../negotiate.ts';
import type { RouteContext } from '../route-context.ts';
import { hiddenFrom } from '../lookups.ts';
import { links } from '../views/links.ts';

/** The build steps running now, on which machine, for how long (Hydra's /status). */
export function statusRoutes(router: Router, ctx: RouteContext): void {
  const { db, render } = ctx;
  router.get('/status', (req, res) => {
    const steps = runningSteps(db, hiddenFrom(ctx, res));
    sendPage(req, res, render, {
      template: 'status',
      view: () => ({
        title: 'Running build steps',
        steps: steps.map((s) => ({
          ...s,
          buildUrl: links.build(s.build_id),
          jobUrl: links.job(s.project, s.jobset, s.job),
          logUrl: links.stepLog(s.build_id, s.stepnr),
        })),
      }),
      json: () =>
        steps.map((s) => ({
          build: s.build_id,
          stepnr: s.stepnr,
          drvpath: s.drvpath,
          machine: s.machine,
          system: s.system,
          starttime: s.starttime,
          project: s.project,
          jobset: s.jobset,
          job: s.job,
          busy: s.busy,
        })),
    });
  });
}
