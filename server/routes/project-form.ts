import type { Request, Response, Router } from 'express';
import { getProject } from '../../core/db/projects.ts';
import { actionDone, requirePermission } from '../action-response.ts';
import { mayCreateProject } from '../auth/permissions.ts';
import { viewerOf } from '../auth/session.ts';
import type { Body } from '../edit-fields.ts';
import { editProject, removeProject } from '../edits/edit-project.ts';
import { BadRequest, Forbidden, HttpError } from '../negotiate.ts';
import { requireProject } from '../lookups.ts';
import type { RouteContext } from '../route-context.ts';
import { links } from '../views/links.ts';

/** The HTML forms for creating, editing and deleting a project (the same rules as PUT/DELETE). */
export function projectFormRoutes(router: Router, ctx: RouteContext): void {
  const { db, render } = ctx;
  const form = (res: Response, values: Record<string, unknown>, opts: { create: boolean; error?: string }) => {
    res
      .status(opts.error ? 400 : 200)
      .type('html')
      .send(
        render('project-form', {
          title: opts.create ? 'Create a project' : `Edit project ${String(values.name)}`,
          create: opts.create,
          values,
          error: opts.error ?? null,
          viewer: viewerOf(res),
          action: opts.create ? '/create-project' : `${links.project(String(values.name))}/edit`,
        }),
      );
  };
  // Unticked checkboxes are not sent at all; a form means "off" by leaving them out.
  const fromForm = (req: Request): Body => {
    const body = (req.body ?? {}) as Body;
    return {
      ...body,
      enabled: body.enabled !== undefined,
      visible: body.visible !== undefined,
      private: body.private !== undefined,
    };
  };
  const submit = (req: Request, res: Response, name: string, create: boolean) => {
    const body = fromForm(req);
    try {
      editProject(db, res, name, body);
    } catch (e) {
      if (e instanceof BadRequest) return form(res, { ...body, name }, { create, error: e.message });
      throw e;
    }
    res.redirect(303, links.project(name));
  };

  router.get('/create-project', (_req, res) => {
    const viewer = viewerOf(res);
    if (!viewer) throw new HttpError(401, 'log in first');
    if (!mayCreateProject(viewer)) throw new Forbidden(`${viewer.username} may not create projects`);
    form(
      res,
      { name: '', displayname: '', description: '', homepage: '', enabled: true, visible: true },
      { create: true },
    );
  });
  router.post('/create-project', (req, res) => {
    const name = String((req.body as Body | undefined)?.['name'] ?? '');
    if (getProject(db, name))
      return form(res, { ...fromForm(req), name }, { create: true, error: `project ${name} already exists` });
    submit(req, res, name, true);
  });
  router.get('/project/:project/edit', (req, res) => {
    const p = requireProject(ctx, res, req.params.project);
    requirePermission(db, res, 'edit-project', p.name);
    if (p.spec_source) throw new Forbidden(`project ${p.name} is declared in a spec file; change it there`);
    form(res, { ...p, visible: p.hidden === 0, enabled: p.enabled === 1, private: p.private === 1 }, { create: false });
  });
  router.post('/project/:project/edit', (req, res) => {
    requireProject(ctx, res, req.params.project);
    submit(req, res, req.params.project, false);
  });
  router.post('/project/:project/delete', (req, res) => {
    removeProject(db, res, req.params.project);
    actionDone(req, res, '/', { redirect: '/' });
  });
}
