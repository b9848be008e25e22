import type { Router } from 'express';
import { countQueuedBuilds, queuedBuilds, runningBuildIds } from '../../core/db/builds.ts';
import { buildJson } from '../json-shapes.ts';
import { sendPage } from '../negotiate.ts';
import { pager, paging } from '../paging.ts';
import type { RouteContext } from '../route-context.ts';
import { hiddenFrom } from '../lookups.ts';
import { buildSummary } from '../views/build-summary.ts';

/** The queue in the order the queue runner serves it, a page at a time (index builds_queue). */
export function queueRoutes(router: Router, ctx: RouteContext): void {
  const { db, render, cache } = ctx;
  router.get('/queue', (req, res) => {
    const p = paging(req, 50);
    const hidden = hiddenFrom(ctx, res);
    const builds = cache.get(`queue:${hidden.json}:${p.rows}:${p.offset}`, () =>
      queuedBuilds(db, hidden, p.rows, p.offset),
    );
    const total = cache.get(`queued:${hidden.json}`, () => countQueuedBuilds(db, hidden));
    sendPage(req, res, render, {
      template: 'queue',
      view: () => {
        const running = runningBuildIds(db);
        return {
          title: 'Queue',
          total,
          builds: builds.map((b) => buildSummary(b, running)),
          pager: pager(req, p, total),
        };
      },
      json: () => builds.map((b) => buildJson(b, { outputs: [], products: [], metrics: [], evals: [] })),
    });
  });
}
