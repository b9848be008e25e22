import type { Router } from 'express';
import { searchAll } from '../../core/db/search.ts';
import { jobsetInputs } from '../../core/db/jobsets.ts';
import { buildEvalIds, buildMetrics, buildOutputs, buildProducts } from '../../core/db/builds.ts';
import type { BuildWithJobset } from '../../core/model/rows.ts';
import { buildJson, jobsetJson, projectJson } from '../json-shapes.ts';
import { BadRequest, sendPage } from '../negotiate.ts';
import type { RouteContext } from '../route-context.ts';
import { hiddenFrom } from '../lookups.ts';
import { buildSummary } from '../views/build-summary.ts';
import { links } from '../views/links.ts';

/**
 * Hydra's /search?query=…[&limit=N] (Controller/Root.pm search): the query may hold only
 * letters, digits and `_-/.`; `limit` (default 10, 1 to 50) bounds the jobs and builds.
 */
export function searchRoutes(router: Router, ctx: RouteContext): void {
  const { db, render } = ctx;
  router.get('/search', (req, res) => {
    const query = typeof req.query.query === 'string' ? req.query.query.trim() : '';
    if (!query) throw new BadRequest('Query is empty.');
    if (!/^[a-zA-Z0-9_\-/.]+$/.test(query)) throw new BadRequest('Invalid character in query.');
    if (query.length > 500) throw new BadRequest('search term too long');
    const limit = Math.min(50, Math.max(1, Number.parseInt(String(req.query.limit ?? '10'), 10) || 10));
    const found = searchAll(db, hiddenFrom(ctx, res), query, limit);
    const full = (b: BuildWithJobset) =>
      buildJson(b, {
        outputs: buildOutputs(db, b.id),
        products: buildProducts(db, b.id),
        metrics: buildMetrics(db, b.id),
        evals: buildEvalIds(db, b.id),
      });
    sendPage(req, res, render, {
      template: 'search',
      view: () => ({
        title: `Search for ${query}`,
        query,
        projects: found.projects.map((p) => ({ ...p, url: links.project(p.name) })),
        jobsets: found.jobsets.map((j) => ({ ...j, url: links.jobset(j.project, j.name) })),
        jobs: found.jobs.slice(0, limit).map((b) => buildSummary(b, new Set())),
        moreJobs: found.jobs.length > limit,
        builds: [...found.builds, ...found.buildsdrv].map((b) => buildSummary(b, new Set())),
      }),
      json: () => ({
        projects: found.projects.map((p) => projectJson(p, [])),
        jobsets: found.jobsets.map((j) => jobsetJson(j, jobsetInputs(db, j.id))),
        builds: found.builds.map(full),
        buildsdrv: found.buildsdrv.map(full),
      }),
    });
  });
}
