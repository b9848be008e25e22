import type { Router } from 'express';
import { countQueuedFor, queuedBuildsFor } from '../../core/db/api-builds.ts';
import { apiBuildJson, nrParam } from '../api-build-json.ts';
import { hiddenFrom } from '../lookups.ts';
import type { RouteContext } from '../route-context.ts';

/** Hydra's /api/queue?nr=N (unfinished builds, JSON) and /api/nrqueue (their number, as plain text). */
export function apiQueueRoutes(router: Router, ctx: RouteContext): void {
  router.get('/api/queue', (req, res) => {
    res.json(queuedBuildsFor(ctx.db, hiddenFrom(ctx, res), nrParam(req)).map(apiBuildJson));
  });
  router.get('/api/nrqueue', (_req, res) => {
    res.type('text/plain').send(String(countQueuedFor(ctx.db, hiddenFrom(ctx, res))));
  });
}
