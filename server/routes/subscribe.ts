import type { Router } from 'express';
import { setSubscribed } from '../../core/db/notify-recipients.ts';
import { actionDone } from '../action-response.ts';
import { viewerOf } from '../auth/session.ts';
import { requireJobset, requireProject } from '../lookups.ts';
import { HttpError } from '../negotiate.ts';
import type { RouteContext } from '../route-context.ts';
import { links } from '../views/links.ts';

/** `subscribed` from a form ("1"/"0") or JSON (true/false); absent means subscribe. */
function wanted(body: unknown): boolean {
  const v = (body as Record<string, unknown> | undefined)?.['subscribed'];
  return !(v === false || v === '0' || v === 0 || v === 'false');
}

/** A logged-in user asks for (or stops) mail about every change in a project or one jobset. */
export function subscribeRoutes(router: Router, ctx: RouteContext): void {
  router.post('/project/:project/subscribe', (req, res) => {
    const project = requireProject(ctx, res, req.params.project);
    const viewer = viewerOf(res);
    if (!viewer) throw new HttpError(401, 'log in first');
    const on = wanted(req.body);
    setSubscribed(ctx.db, viewer.username, project.name, '', on);
    actionDone(req, res, links.project(project.name), { project: project.name, subscribed: on });
  });
  router.post('/jobset/:project/:jobset/subscribe', (req, res) => {
    const jobset = requireJobset(ctx, res, req.params.project, req.params.jobset);
    const viewer = viewerOf(res);
    if (!viewer) throw new HttpError(401, 'log in first');
    const on = wanted(req.body);
    setSubscribed(ctx.db, viewer.username, jobset.project, jobset.name, on);
    actionDone(req, res, links.jobset(jobset.project, jobset.name), {
      project: jobset.project,
      jobset: jobset.name,
      subscribed: on,
    });
  });
}
