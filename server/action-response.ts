import type { Request, Response } from 'express';
import type { Db } from '../core/db/database.ts';
import { may, type Action } from './auth/permissions.ts';
import { viewerOf, type Viewer } from './auth/session.ts';
import { Forbidden, HttpError, wantsJson } from './negotiate.ts';

/** The viewer if they may do `action` on `project`; 401 when nobody is logged in, 403 otherwise. */
export function requirePermission(db: Db, res: Response, action: Action, project: string): Viewer {
  const viewer = viewerOf(res);
  if (!viewer) throw new HttpError(401, 'log in first');
  if (!may(db, viewer, action, project))
    throw new Forbidden(`${viewer.username} may not ${action} in project ${project}`);
  return viewer;
}

/** After an action: JSON for API clients, a redirect back to the page for forms (POST/redirect/GET). */
export function actionDone(req: Request, res: Response, redirectTo: string, json: object): void {
  if (wantsJson(req) || req.is('application/json')) res.json(json);
  else res.redirect(303, redirectTo);
}
