import type { Router } from 'express';
import { serverCounters } from '../../core/db/queue-status.ts';
import type { RouteContext } from '../route-context.ts';
import { hiddenFrom } from '../lookups.ts';

/** Prometheus text format, as Hydra's queue runner exposes, from the database's counts. */
export function metricsRoutes(router: Router, ctx: RouteContext): void {
  const { db, cache } = ctx;
  router.get('/metrics', (_req, res) => {
    const hidden = hiddenFrom(ctx, res);
    const c = cache.get(`counters:${hidden.json}`, () => serverCounters(db, hidden));
    const lines = [
      ['hydrant_builds_queued', 'Builds waiting in the queue.', c.queued],
      ['hydrant_build_steps_running', 'Build steps running now.', c.running],
      ['hydrant_builds_finished', 'Finished builds in the database.', c.finished],
      ['hydrant_evaluations', 'Evaluations in the database.', c.evals],
      ['hydrant_machines', 'Build machines known.', c.machines],
    ].flatMap(([name, help, value]) => [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${value}`]);
    res.type('text/plain; version=0.0.4; charset=utf-8').send(lines.join('\n') + '\n');
  });
}
