import type { Router } from 'express';
import { latestFinishedBuilds } from '../../core/db/api-builds.ts';
import { apiBuildJson, buildFilter, nrParam } from '../api-build-json.ts';
import { viewerOf } from '../auth/session.ts';
import type { RouteContext } from '../route-context.ts';

/** Hydra's /api/latestbuilds?nr=N[&project&jobset&job&system]: the newest finished builds, always JSON. */
export function apiLatestBuildsRoutes(router: Router, { db }: RouteContext): void {
  router.get('/api/latestbuilds', (req, res) => {
    res.json(latestFinishedBuilds(db, viewerOf(res), buildFilter(req), nrParam(req)).map(apiBuildJson));
  });
}
