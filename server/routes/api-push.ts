import type { Request, Response, Router } from 'express';
import { getJobset, triggerEvaluation } from '../../core/db/jobsets.ts';
import { getProject } from '../../core/db/projects.ts';
import { jobsetsWithRepo } from '../../core/db/push.ts';
import { requirePermission } from '../action-response.ts';
import { BadRequest, NotFound } from '../negotiate.ts';
import type { RouteContext } from '../route-context.ts';

const list = (v: unknown) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : []);

/**
 * Hydra's push trigger: `/api/push?jobsets=P:J,...` and/or `?repos=URL,...` (jobsets with
 * a git input of that URL) set triggertime; the evaluator checks them on its next tick.
 * Disabled jobsets are skipped unless `force` is given. Answers `{ jobsetsTriggered }`.
 */
export function apiPushRoutes(router: Router, ctx: RouteContext): void {
  const { db } = ctx;
  const push = (req: Request, res: Response) => {
    const named = list(req.query.jobsets).map((s) => {
      const [project, name, ...rest] = s.split(':');
      if (!project || !name || rest.length) throw new BadRequest(`"${s}" is not PROJECT:JOBSET`);
      const jobset = getJobset(db, project, name);
      if (!jobset) throw new NotFound(`jobset ${s}`);
      return jobset;
    });
    const byRepo = list(req.query.repos).flatMap((url) => jobsetsWithRepo(db, url)).map((j) => getJobset(db, j.project, j.name)!);
    if (named.length === 0 && list(req.query.repos).length === 0) throw new BadRequest('give jobsets=PROJECT:JOBSET,... or repos=URL,...');
    const force = req.query.force !== undefined;
    const targets = new Map([...named, ...byRepo].map((j) => [j.id, j]));
    for (const j of targets.values()) requirePermission(db, res, 'trigger', j.project);
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
