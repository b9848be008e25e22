import type { Router } from 'express';
import { evalInputs, evalSummary } from '../../core/db/evals.ts';
import { countJobsetEvalsWithNewBuilds, jobsetEvalsWithNewBuilds } from '../../core/db/global-lists.ts';
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
    // As Hydra's Jobset.pm evals (getEvals): only evaluations that added builds are listed and counted.
    const evals = jobsetEvalsWithNewBuilds(db, jobset.id, p.rows, p.offset);
    const total = cache.get(`newevalcount:${jobset.id}`, () => countJobsetEvalsWithNewBuilds(db, jobset.id));
    const nav = pager(req, p, total);
    const pages = Math.ceil(total / p.rows);
    const link = (n: number) => nav.firstUrl.replace(/page=1$/, `page=${n}`);
    sendPage(req, res, render, {
      template: 'jobset-evals',
      view: () => ({
        title: `Evaluations of ${jobset.project}:${jobset.name}`,
        jobset: {
          project: jobset.project,
          name: jobset.name,
          url: links.jobset(jobset.project, jobset.name),
          projectUrl: links.project(jobset.project),
        },
        evals: evals.map((e) => ({
          ...e,
          url: links.eval(e.id),
          ...cache.get(`summary:${e.id}`, () => evalSummary(db, e.id)),
        })),
        pager: nav,
      }),
      // Hydra's shape: { first, last, evals }, `previous` past page 1, `next` before the last page.
      json: () => ({
        first: link(1),
        last: link(pages),
        ...(p.page > 1 ? { previous: link(p.page - 1) } : {}),
        ...(p.page < pages ? { next: link(p.page + 1) } : {}),
        evals: evals.map((e) => evalJson(e, evalInputs(db, e.id), evalBuildIdsAfter(db, e.id, 0, 1_000_000))),
      }),
    });
  });
}
