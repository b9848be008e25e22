import type { Response } from 'express';
import { basename } from 'node:path';
import type { Db } from '../../core/db/database.ts';
import { deleteProject, saveProject } from '../../core/db/project-edits.ts';
import { getProject } from '../../core/db/projects.ts';
import { requirePermission } from '../action-response.ts';
import { mayCreateProject, mayRead } from '../auth/permissions.ts';
import { viewerOf } from '../auth/session.ts';
import { bool, NAME, str, type Body } from '../edit-fields.ts';
import { BadRequest, Forbidden, HttpError, NotFound } from '../negotiate.ts';

/**
 * Creating or updating a project, the same for the JSON API (PUT) and the HTML form (POST):
 * a new project needs `admin` or `create-projects` and is owned by its creator; an existing
 * one needs its owner or an admin. Fields left out keep their values.
 */
export function editProject(db: Db, res: Response, name: string, body: Body): { created: boolean } {
  if (!NAME.test(name)) throw new BadRequest(`invalid project name "${name}": letters, digits, _ . - only`);
  const existing = getProject(db, name);
  const viewer = viewerOf(res);
  // A private project the viewer may not read is answered as if it did not exist, up to
  // the point where creating it would clash with the name in use.
  const hidden = existing !== undefined && !mayRead(db, viewer, existing);
  if (existing && !hidden) requirePermission(db, res, 'edit-project', name);
  // One writer per column: a project declared by a spec file is changed in that file.
  if (existing && !hidden && existing.spec_source)
    throw new Forbidden(`project ${name} is declared in ${basename(existing.spec_source)}; change it there`);
  else if (!viewer) throw new HttpError(401, 'log in first');
  else if (!mayCreateProject(viewer)) throw new Forbidden(`${viewer.username} may not create projects`);
  else if (hidden) throw new HttpError(409, `the name ${name} is taken`);
  const created = saveProject(db, {
    name,
    displayname: str(body, 'displayname', existing?.displayname ?? name) || name,
    description: str(body, 'description', existing?.description ?? ''),
    homepage: str(body, 'homepage', existing?.homepage ?? ''),
    owner: existing?.owner ?? viewer!.username,
    enabled: bool(body, 'enabled', existing ? existing.enabled === 1 : true),
    // Hydra's clients send `visible`; the API document also names `hidden`.
    hidden:
      body['visible'] !== undefined
        ? !bool(body, 'visible', true)
        : bool(body, 'hidden', existing ? existing.hidden === 1 : false),
    private: bool(body, 'private', existing ? existing.private === 1 : false),
  });
  return { created };
}

export function removeProject(db: Db, res: Response, name: string): void {
  const existing = getProject(db, name);
  if (!existing || !mayRead(db, viewerOf(res), existing)) throw new NotFound(`project ${name}`);
  requirePermission(db, res, 'delete-project', name);
  if (existing.spec_source)
    throw new Forbidden(`project ${name} is declared in ${basename(existing.spec_source)}; remove it there`);
  deleteProject(db, name);
}
