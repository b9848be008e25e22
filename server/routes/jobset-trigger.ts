import type { Router } from 'express';
import { triggerEvaluation } from '../../core/db/jobsets.ts';
import { actionDone, requirePermission } from '../action-response.ts';
import { requireJobset } from '../lookups.ts';
import type { RouteContext } from '../route-context.ts';
import { links } from '../views/links.ts';

/** "Evaluate now": sets jobsets.triggertime, which the evaluator honours on its next tick. */
export function jobsetTriggerRoutes(router: Router, ctx: RouteContext): void {
  router.post('/jobset/:project/:jobset/trigger', (req, res) => {
    const jobset = requireJobset(ctx, res, req.params.project, req.params.jobset);
    requirePermission(ctx.db, res, 'trigger', jobset.project);
    triggerEvaluation(ctx.db, jobset.id);
    actionDone(req, res, links.jobset(jobset.project, jobset.name), {
      jobsetsTriggered: [`${jobset.project}:${jobset.name}`],
    });
  });
}
