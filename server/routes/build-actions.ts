import type { Request, Response, Router } from 'express';
import { requestBuildCommand, setBuildKeep } from '../../core/db/commands-requests.ts';
import { actionDone, requirePermission } from '../action-response.ts';
import { requireBuild } from '../lookups.ts';
import type { RouteContext } from '../route-context.ts';
import { links } from '../views/links.ts';

/**
 * Restart, cancel and bump are requests to the queue runner (queue_commands rows; it
 * changes the build). Keep only protects outputs from garbage collection, so it is set here.
 * Hydra's URLs: POST /build/N/restart, /cancel, /bump, /keep/1 and /keep/0.
 */
export function buildActionRoutes(router: Router, ctx: RouteContext): void {
  const { db } = ctx;
  const command = (kind: 'restart' | 'cancel' | 'bump') => (req: Request, res: Response) => {
    const build = requireBuild(ctx, res, req.params.id);
    const viewer = requirePermission(db, res, kind, build.project);
    const id = requestBuildCommand(db, kind, build.id, viewer.username);
    actionDone(req, res, links.build(build.id), { requested: kind, build: build.id, command: id });
  };
  router.post('/build/:id/restart', command('restart'));
  router.post('/build/:id/cancel', command('cancel'));
  router.post('/build/:id/bump', command('bump'));
  router.post('/build/:id/keep/:keep', (req, res) => {
    const build = requireBuild(ctx, res, req.params.id);
    requirePermission(db, res, 'keep', build.project);
    const keep = req.params.keep === '1';
    setBuildKeep(db, build.id, keep);
    actionDone(req, res, links.build(build.id), { build: build.id, keep });
  });
}
