import type { Router } from 'express';
import { finishedBuildsPerPeriod } from '../../core/db/api-builds.ts';
import { buildFilter, nrParam } from '../api-build-json.ts';
import { hiddenFrom } from '../lookups.ts';
import { BadRequest } from '../negotiate.ts';
import type { RouteContext } from '../route-context.ts';

const PERIODS: Record<string, number> = { hour: 3600, day: 24 * 3600 };

/** Hydra's /api/nrbuilds?nr=N&period=hour|day: finished builds per period, oldest first. */
export function apiNrBuildsRoutes(router: Router, ctx: RouteContext): void {
  router.get('/api/nrbuilds', (req, res) => {
    const nr = nrParam(req);
    const seconds = PERIODS[String(req.query.period ?? '')];
    // Hydra divides by an undefined base for any other period and fails; say why instead.
    if (!seconds) throw new BadRequest('Parameter not defined! (period must be hour or day)');
    res.json(finishedBuildsPerPeriod(ctx.db, hiddenFrom(ctx, res), buildFilter(req), seconds, nr));
  });
}
