import type { Router } from 'express';
import { countQueuedBuilds, queuedBuilds, runningBuildIds } from '../../core/db/builds.ts';
import { buildJson } from '../json-shapes.ts';
import { sendPage } from '../negotiate.ts';
import { pager, paging } from '../paging.ts';
import type { RouteContext } from '../route-context.ts';
import { buildSummary } from '../views/build-summary.ts';

/** The queue in the order the queue runner serves it, a page at a time (index builds_queue). */
export function queueRoutes(router: Router, { db, render, cache }: RouteContext): void {
  router.get('/queue', (req, res) => {
    const p = paging(req, 50);
    const builds = cache.get(`queue:${p.rows}:${p.offset}`, () => queuedBuilds(db, p.rows, p.offset));
    const total = cache.get('queued', () => countQueuedBuilds(db));
    sendPage(req, res, render, {
      template: 'queue',
      view: () => {
        const running = runningBuildIds(db);
        return { title: 'Queue', total, builds: builds.map((b) => buildSummary(b, running)), pager: pager(req, p, total) };
      },
      json: () => builds.map((b) => buildJson(b, { outputs: [], products: [], metrics: [], evals: [] })),
    });
  });
}
