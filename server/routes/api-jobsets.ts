import type { Router } from 'express';
import { evalSummary } from '../../core/db/evals.ts';
import { jobsetOverview } from '../../core/db/jobset-overview.ts';
import { BadRequest } from '../negotiate.ts';
import { requireProject } from '../lookups.ts';
import type { RouteContext } from '../route-context.ts';

/** Hydra's /api/jobsets?project=P: each jobset with the build counts of its newest evaluation. */
export function apiJobsetsRoutes(router: Router, ctx: RouteContext): void {
  const { db, cache } = ctx;
  router.get('/api/jobsets', (req, res) => {
    if (typeof req.query.project !== 'string') throw new BadRequest('give project=NAME');
    const project = requireProject(ctx, res, req.query.project);
    res.json(
      jobsetOverview(db, project.name)
        .filter((j) => j.hidden === 0)
        .map((j) => {
          const s =
            j.last_eval === null
              ? { total: 0, succeeded: 0, failed: 0, queued: 0, aborted: 0 }
              : cache.get(`summary:${j.last_eval}`, () => evalSummary(db, j.last_eval!));
          return {
            name: j.name,
            project: j.project,
            nrtotal: s.total,
            nrsucceeded: s.succeeded,
            nrfailed: s.failed,
            nrscheduled: s.queued,
            checkinterval: j.checkinterval,
            haserrormsg: !!j.errormsg,
            errortime: j.errortime,
            fetcherrormsg: j.fetcherrormsg,
            starttime: j.starttime,
            lastcheckedtime: j.lastcheckedtime,
            triggertime: j.triggertime,
          };
        }),
    );
  });
}
