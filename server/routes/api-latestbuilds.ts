import type { Router } from 'express';
import { latestFinishedBuilds } from '../../core/db/api-builds.ts';
import { apiBuildJson, buildFilter, nrParam } from '../api-build-json.ts';
import { hiddenFrom } from '../lookups.ts';
import type { RouteContext } from '../route-context.ts';

/** Hydra's /api/latestbuilds?nr=N[&project&jobset&job&system]: the newest finished builds, always JSON. */
export function apiLatestBuildsRoutes(router: Router, ctx: RouteContext): void {
  router.get('/api/latestbuilds', (req, res) => {
    res.json(latestFinishedBuilds(ctx.db, hiddenFrom(ctx, res), buildFilter(req), nrParam(req)).map(apiBuildJson));
  });
}
