import type { Request, Response, Router } from 'express';
import { latestBuildOfJob, type LatestFilter } from '../../core/db/builds.ts';
import { requireJobset } from '../lookups.ts';
import { NotFound } from '../negotiate.ts';
import { restOf } from '../redirect-rest.ts';
import type { RouteContext } from '../route-context.ts';
import { links } from '../views/links.ts';

export function jobLatestRoutes(router: Router, ctx: RouteContext): void {
  const redirectToLatest = (filter: (req: Request) => LatestFilter) => (req: Request, res: Response) => {
    const jobset = requireJobset(ctx, res, req.params.project, req.params.jobset);
    const build = latestBuildOfJob(ctx.db, jobset.id, String(req.params.job), filter(req));
    if (!build) throw new NotFound(`a matching build of job ${req.params.job}`);
    res.redirect(302, links.build(build.id) + restOf(req));
  };
  const base = '/job/:project/:jobset/:job';
  router.get(
    [`${base}/latest`, `${base}/latest/*rest`],
    redirectToLatest(() => ({ successful: true })),
  );
  router.get(
    [`${base}/latest-finished`, `${base}/latest-finished/*rest`],
    redirectToLatest(() => ({ successful: true, evalFinished: true })),
  );
  router.get(
    [`${base}/latest-for/:system`, `${base}/latest-for/:system/*rest`],
    redirectToLatest((req) => ({ successful: true, system: String(req.params.system) })),
  );
}
