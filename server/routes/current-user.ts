import type { Router } from 'express';
import { getUser } from '../../core/db/users.ts';
import { viewerOf } from '../auth/session.ts';
import { userJson } from '../json-shapes.ts';
import { Forbidden } from '../negotiate.ts';
import type { RouteContext } from '../route-context.ts';

/** Hydra's /current-user (User.pm currentUser_GET), where its login redirects: the signed-in user, always JSON. */
export function currentUserRoutes(router: Router, { db }: RouteContext): void {
  router.get('/current-user', (_req, res) => {
    const viewer = viewerOf(res);
    const user = viewer ? getUser(db, viewer.username) : undefined;
    if (!viewer || !user) throw new Forbidden('This page requires you to sign in.');
    res.vary('Accept').json(userJson({ ...user, roles: viewer.roles }));
  });
}
