import type { Router } from 'express';
import { finishedSteps } from '../../core/db/global-lists.ts';
import { statusLabel } from '../../core/model/status.ts';
import { hiddenFrom } from '../lookups.ts';
import { sendPage } from '../negotiate.ts';
import { paging } from '../paging.ts';
import type { RouteContext } from '../route-context.ts';
import { links } from '../views/links.ts';

/** Hydra's /steps (Root.pm steps): the build steps that ended most recently, 20 a page. */
export function stepsRoutes(router: Router, ctx: RouteContext): void {
  const { db, render } = ctx;
  router.get('/steps', (req, res) => {
    const p = paging(req, 20, 100);
    const steps = finishedSteps(db, hiddenFrom(ctx, res), p.rows, p.offset);
    sendPage(req, res, render, {
      template: 'steps',
      view: () => ({
        title: 'Latest steps',
        page: p.page,
        nextUrl: steps.length === p.rows ? `?page=${p.page + 1}` : null,
        prevUrl: p.page > 1 ? `?page=${p.page - 1}` : null,
        steps: steps.map((s) => ({
          ...s,
          statusText: s.status === null ? '' : statusLabel(true, s.status),
          buildUrl: links.build(s.build_id),
          logUrl: links.stepLog(s.build_id, s.stepnr),
          jobUrl: links.job(s.project, s.jobset, s.job),
          seconds: s.stoptime - s.starttime,
        })),
      }),
      json: () =>
        steps.map((s) => ({
          build: s.build_id,
          stepnr: s.stepnr,
          drvpath: s.drvpath,
          status: s.status,
          starttime: s.starttime,
          stoptime: s.stoptime,
          machine: s.machine,
          system: s.system,
          project: s.project,
          jobset: s.jobset,
          job: s.job,
        })),
    });
  });
}
