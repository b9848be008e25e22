import type { Router } from 'express';
import { listMachines } from '../../core/db/machines.ts';
import { runningSteps } from '../../core/db/queue-status.ts';
import { sendPage } from '../negotiate.ts';
import type { RouteContext } from '../route-context.ts';
import { hiddenFrom } from '../lookups.ts';
import { links } from '../views/links.ts';

/** Build machines as the queue runner last recorded them, with the steps each runs now. */
export function machinesRoutes(router: Router, ctx: RouteContext): void {
  const { db, render } = ctx;
  router.get('/machines', (req, res) => {
    const steps = runningSteps(db, hiddenFrom(ctx, res));
    const machines = listMachines(db).map((m) => ({
      ...m,
      running: steps
        .filter((s) => s.machine === m.name)
        .map((s) => ({
          build: s.build_id,
          stepnr: s.stepnr,
          job: s.job,
          starttime: s.starttime,
          url: links.build(s.build_id),
        })),
      disabledNow: m.enabled === 0 || (m.disabled_until !== null && m.disabled_until * 1000 > Date.now()),
      averageStep: m.nr_steps_done ? m.total_step_time / m.nr_steps_done : null,
    }));
    sendPage(req, res, render, {
      template: 'machines',
      view: { title: 'Machines', machines },
      json: () =>
        Object.fromEntries(
          machines.map((m) => [
            m.name,
            {
              systems: m.systems.split(' ').filter(Boolean),
              maxjobs: m.maxjobs,
              speedfactor: m.speedfactor,
              supportedfeatures: m.supportedfeatures.split(' ').filter(Boolean),
              mandatoryfeatures: m.mandatoryfeatures.split(' ').filter(Boolean),
              enabled: !m.disabledNow,
              consecutivefailures: m.consecutive_failures,
              lastfailure: m.last_failure,
              nrstepsdone: m.nr_steps_done,
              totalsteptime: m.total_step_time,
              currentjobs: m.running.length,
            },
          ]),
        ),
    });
  });
}
