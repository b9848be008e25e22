import { randomBytes } from 'node:crypto';
import type { Router } from 'express';
import { getJobset } from '../../core/db/jobsets.ts';
import { addWebhook, deleteWebhook, projectWebhooks } from '../../core/db/webhooks.ts';
import { actionDone, requirePermission } from '../action-response.ts';
import { requireProject } from '../lookups.ts';
import { BadRequest, NotFound, intParam, sendPage } from '../negotiate.ts';
import type { RouteContext } from '../route-context.ts';
import { links } from '../views/links.ts';

function endpoint(value: unknown): string {
  if (typeof value !== 'string' || value.length > 2000)
    throw new BadRequest('url: an http:// or https:// address is needed');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new BadRequest(`url: not a URL: ${value}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new BadRequest('url: only http:// and https:// endpoints');
  return url.toString();
}

/**
 * A project's webhooks (its owner, members and admins): endpoints that get the same events
 * as the mail, as JSON signed with HMAC-SHA256 of the body (X-Hydrant-Signature-256).
 * A secret left empty is generated and shown once, in the answer that creates the hook.
 */
export function webhookRoutes(router: Router, ctx: RouteContext): void {
  const { db } = ctx;
  router.get('/project/:project/webhooks', (req, res) => {
    const project = requireProject(ctx, res, req.params.project);
    requirePermission(db, res, 'edit-jobset', project.name);
    const hooks = projectWebhooks(db, project.name).map((h) => ({
      id: h.id,
      jobset: h.jobset,
      url: h.url,
      created: h.created,
    }));
    sendPage(req, res, ctx.render, {
      template: 'webhooks',
      view: {
        title: `Webhooks of ${project.name}`,
        project: { name: project.name, url: links.project(project.name) },
        hooks,
      },
      json: () => hooks,
    });
  });
  router.post('/project/:project/webhooks', (req, res) => {
    const project = requireProject(ctx, res, req.params.project);
    requirePermission(db, res, 'edit-jobset', project.name);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const jobset = typeof body['jobset'] === 'string' ? body['jobset'] : '';
    if (jobset && !getJobset(db, project.name, jobset))
      throw new BadRequest(`jobset: ${project.name} has no jobset ${jobset}`);
    const given = typeof body['secret'] === 'string' ? body['secret'] : '';
    const secret = given || randomBytes(24).toString('hex');
    const id = addWebhook(db, { project: project.name, jobset, url: endpoint(body['url']), secret });
    actionDone(req, res, `${links.project(project.name)}/webhooks`, { id, secret: given ? undefined : secret });
  });
  router.post('/project/:project/webhooks/:id/delete', (req, res) => {
    const project = requireProject(ctx, res, req.params.project);
    requirePermission(db, res, 'edit-jobset', project.name);
    if (!deleteWebhook(db, project.name, intParam(req.params.id, 'webhook')))
      throw new NotFound(`webhook ${req.params.id}`);
    actionDone(req, res, `${links.project(project.name)}/webhooks`, { deleted: Number(req.params.id) });
  });
}
