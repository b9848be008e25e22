import type { Router } from 'express';
import { serverCounters } from '../../core/db/queue-status.ts';
import { hiddenFrom } from '../lookups.ts';
import { sendPage } from '../negotiate.ts';
import type { RouteContext } from '../route-context.ts';

/**
 * Hydra's /queue-runner-status (Root.pm queue_runner_status) relays its queue runner's own
 * status endpoint, and answers `{status: "unknown"}` when it has none. hydrant's queue
 * runner has no endpoint; its state is in the database, so this says "unknown" as Hydra
 * does and adds the figures Hydra's queue runner reports that the database holds.
 */
export function queueRunnerStatusRoutes(router: Router, ctx: RouteContext): void {
  const { db, render } = ctx;
  router.get('/queue-runner-status', (req, res) => {
    const c = serverCounters(db, hiddenFrom(ctx, res));
    const status = {
      status: 'unknown',
      time: Math.floor(Date.now() / 1000),
      nrQueuedBuilds: c.queued,
      nrActiveSteps: c.running,
      nrMachines: c.machines,
    };
    sendPage(req, res, render, {
      template: 'queue-runner-status',
      view: { title: 'Queue runner status', status: JSON.stringify(status, null, 2) },
      json: () => status,
    });
  });
}
