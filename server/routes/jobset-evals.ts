import type { Router } from 'express';
import { countEvals, evalInputs, evalSummary, listEvals } from '../../core/db/evals.ts';
import { evalBuildIdsAfter } from '../../core/db/eval-pages.ts';
import { evalJson } from '../json-shapes.ts';
import { requireJobset } from '../lookups.ts';
import { sendPage } from '../negotiate.ts';
import { pager, paging } from '../paging.ts';
import type { RouteContext } from '../route-context.ts';
import { links } from '../views/links.ts';

export function jobsetEvalsRoutes(router: Router, ctx: RouteContext): void {
  const { db, render, cache } = ctx;
  router.get('/jobset/:project/:jobset/evals', (req, res) => {
    const jobset = requireJobset(ctx, res, req.params.project, req.params.jobset);
    const p = paging(req, 20, 100);
    const evals = listEvals(db, jobset.id, p.rows, p.offset);
    const nav = pager(req, p, cache.get(`evalcount:${jobset.id}`, () => countEvals(db, jobset.id)));
    sendPage(req, res, render, {
      template: 'jobset-evals',
      view: () => ({
        title: `Evaluations of ${jobset.project}:${jobset.name}`,
        jobset: { project: jobset.project, name: jobset.name, url: links.jobset(jobset.project, jobset.name), projectUrl: links.project(jobset.project) },
        evals: evals.map((e) => ({ ...e, url: links.eval(e.id), ...cache.get(`summary:${e.id}`, () => evalSummary(db, e.id)) })),
        pager: nav,
      }),
      // Hydra's shape: { first, next, last, evals }; `next` only when there is a next page.
      json: () => ({
        first: nav.firstUrl, last: nav.lastUrl, ...(nav.nextUrl ? { next: nav.nextUrl } : {}), ...(nav.prevUrl ? { prev: nav.prevUrl } : {}),
        evals: evals.map((e) => evalJson(e, evalInputs(db, e.id), evalBuildIdsAfter(db, e.id, 0, 1_000_000))),
      }),
    });
  });
}
