import type { Request, Response, Router } from 'express';
import { requestEvalCommand, type EvalCommandKind } from '../../core/db/commands-requests.ts';
import { actionDone, requirePermission } from '../action-response.ts';
import type { Action } from '../auth/permissions.ts';
import { requireEval } from '../lookups.ts';
import type { RouteContext } from '../route-context.ts';
import { links } from '../views/links.ts';

/**
 * Hydra's actions on a whole evaluation, at its URLs: POST /eval/N/restart-failed,
 * /restart-aborted, /cancel and /bump. Each is a request to the queue runner (a
 * queue_commands row), which carries it out, and needs the permission of its build action.
 */
export function evalActionRoutes(router: Router, ctx: RouteContext): void {
  const command = (kind: EvalCommandKind, permission: Action) => (req: Request, res: Response) => {
    const { evaluation, jobset } = requireEval(ctx, res, req.params.id);
    const viewer = requirePermission(ctx.db, res, permission, jobset.project);
    const id = requestEvalCommand(ctx.db, kind, evaluation.id, viewer.username);
    actionDone(req, res, links.eval(evaluation.id), { requested: kind, eval: evaluation.id, command: id });
  };
  router.post('/eval/:id/restart-failed', command('restart-failed-of-eval', 'restart'));
  router.post('/eval/:id/restart-aborted', command('restart-aborted-of-eval', 'restart'));
  router.post('/eval/:id/cancel', command('cancel-eval', 'cancel'));
  router.post('/eval/:id/bump', command('bump-eval', 'bump'));
}
