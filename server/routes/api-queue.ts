import type { Router } from 'express';
import { countQueuedFor, queuedBuildsFor } from '../../core/db/api-builds.ts';
import { apiBuildJson, nrParam } from '../api-build-json.ts';
import { viewerOf } from '../auth/session.ts';
import type { RouteContext } from '../route-context.ts';

/** Hydra's /api/queue?nr=N (unfinished builds, JSON) and /api/nrqueue (their number, as plain text). */
export function apiQueueRoutes(router: Router, { db }: RouteContext): void {
  router.get('/api/queue', (req, res) => {
    res.json(queuedBuildsFor(db, viewerOf(res), nrParam(req)).map(apiBuildJson));
  });
  router.get('/api/nrqueue', (_req, res) => {
    res.type('text/plain').send(String(countQueuedFor(db, viewerOf(res))));
  });
}
