import type { Request, Response, Router } from 'express';
import { getJobset, triggerEvaluation } from '../../core/db/jobsets.ts';
import { getProject } from '../../core/db/projects.ts';
import { jobsetsWithRepo } from '../../core/db/push.ts';
import { requirePermission } from '../action-response.ts';
import { may } from '../auth/permissions.ts';
import { viewerOf } from '../auth/session.ts';
import { readable } from '../lookups.ts';
import { BadRequest, HttpError, NotFound } from '../negotiate.ts';
import type { RouteContext } from '../route-context.ts';

const list = (v: unknown) =>
  typeof v === 'string'
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];

/**
 * Hydra's push trigger: `/api/push?jobsets=P:J,...` and/or `?repos=URL,...` (jobsets with
 * a git input of that URL) set triggertime; the evaluator checks them on its next tick.
 * Disabled jobsets are skipped unless `force` is given. Answers `{ jobsetsTriggered }`.
 * By repository, only the jobsets the user may trigger are considered, so the answer never
 * tells which URLs other projects poll; a private project's jobset the user may not read
 * is "not found" by name.
 */
export function apiPushRoutes(router: Router, ctx: RouteContext): void {
  const { db } = ctx;
  const push = (req: Request, res: Response) => {
    const names = list(req.query.jobsets);
    const repos = list(req.query.repos);
    if (names.length === 0 && repos.length === 0)
      throw new BadRequest('give jobsets=PROJECT:JOBSET,... or repos=URL,...');
    const viewer = viewerOf(res);
    if (!viewer) throw new HttpError(401, 'log in first');
    const named = names.map((s) => {
      const [project, name, ...rest] = s.split(':');
      if (!project || !name || rest.length) throw new BadRequest(`"${s}" is not PROJECT:JOBSET`);
      const jobset = getJobset(db, project, name);
      if (!jobset || !readable(ctx, res, jobset.project)) throw new NotFound(`jobset ${s}`);
      requirePermission(db, res, 'trigger', jobset.project);
      return jobset;
    });
    const byRepo = repos
      .flatMap((url) => jobsetsWithRepo(db, url))
      .map((j) => getJobset(db, j.project, j.name)!)
      .filter((j) => readable(ctx, res, j.project) && may(db, viewer, 'trigger', j.project));
    const force = req.query.force !== undefined;
    const targets = new Map([...named, ...byRepo].map((j) => [j.id, j]));
    const triggered: string[] = [];
    for (const j of targets.values()) {
      if (!force && (j.enabled === 0 || getProject(db, j.project)?.enabled !== 1)) continue;
      triggerEvaluation(db, j.id);
      triggered.push(`${j.project}:${j.name}`);
    }
    res.json({ jobsetsTriggered: triggered });
  };
  router.post('/api/push', push);
  router.put('/api/push', push);
}
