import type { Router } from 'express';
import { getProject } from '../../core/db/projects.ts';
import { deleteProject, saveProject } from '../../core/db/project-edits.ts';
import { mayCreateProject } from '../auth/permissions.ts';
import { viewerOf } from '../auth/session.ts';
import { requirePermission } from '../action-response.ts';
import { bool, NAME, str, type Body } from '../edit-fields.ts';
import { BadRequest, Forbidden, HttpError, NotFound } from '../negotiate.ts';
import type { RouteContext } from '../route-context.ts';
import { links } from '../views/links.ts';

/** Hydra's PUT /project/P (create or update) and DELETE /project/P, as JSON. */
export function projectEditRoutes(router: Router, { db }: RouteContext): void {
  router.put('/project/:project', (req, res) => {
    const name = req.params.project;
    if (!NAME.test(name)) throw new BadRequest(`invalid project name "${name}": letters, digits, _ . - only`);
    const body = (req.body ?? {}) as Body;
    const existing = getProject(db, name);
    const viewer = viewerOf(res);
    if (existing) requirePermission(db, res, 'edit-project', name);
    else if (!viewer) throw new HttpError(401, 'log in first');
    else if (!mayCreateProject(viewer)) throw new Forbidden(`${viewer.username} may not create projects`);
    const created = saveProject(db, {
      name,
      displayname: str(body, 'displayname', existing?.displayname ?? name),
      description: str(body, 'description', existing?.description ?? ''),
      homepage: str(body, 'homepage', existing?.homepage ?? ''),
      owner: existing?.owner ?? viewer!.username,
      enabled: bool(body, 'enabled', existing ? existing.enabled === 1 : true),
      // Hydra's clients send `visible`; the API document also names `hidden`.
      hidden: body['visible'] !== undefined ? !bool(body, 'visible', true) : bool(body, 'hidden', existing ? existing.hidden === 1 : false),
    });
    const uri = links.project(name);
    res.status(created ? 201 : 200).json(created ? { uri, name, redirect: uri, type: 'project' } : { redirect: uri });
  });

  router.delete('/project/:project', (req, res) => {
    if (!getProject(db, req.params.project)) throw new NotFound(`project ${req.params.project}`);
    requirePermission(db, res, 'delete-project', req.params.project);
    deleteProject(db, req.params.project);
    res.json({ redirect: '/' });
  });
}
