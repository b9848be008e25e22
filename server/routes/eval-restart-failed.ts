import type { Router } from 'express';
import { requestRestartFailedOfEval } from '../../core/db/commands-requests.ts';
import { actionDone, requirePermission } from '../action-response.ts';
import { requireEval } from '../lookups.ts';
import type { RouteContext } from '../route-context.ts';
import { links } from '../views/links.ts';

/** Hydra's "restart all failed builds" of an evaluation, carried out by the queue runner. */
export function evalRestartFailedRoutes(router: Router, ctx: RouteContext): void {
  router.post('/eval/:id/restart-failed', (req, res) => {
    const { evaluation, jobset } = requireEval(ctx, res, req.params.id);
    const viewer = requirePermission(ctx.db, res, 'restart', jobset.project);
    const id = requestRestartFailedOfEval(ctx.db, evaluation.id, viewer.username);
    actionDone(req, res, links.eval(evaluation.id), { requested: 'restart-failed-of-eval', eval: evaluation.id, command: id });
  });
}
