import type { Router } from 'express';
import { latestFinishedBuildStatus } from '../../core/db/job-history.ts';
import { BuildStatus, statusLabel } from '../../core/model/status.ts';
import { requireJobset } from '../lookups.ts';
import type { RouteContext } from '../route-context.ts';

/** What the newest finished build of a job says, in a badge's words and colour. */
function badgeState(build: { buildstatus: number } | undefined): { message: string; color: string } {
  if (!build) return { message: 'not built', color: 'lightgrey' };
  if (build.buildstatus === BuildStatus.Success) return { message: 'passing', color: 'green' };
  return { message: statusLabel(true, build.buildstatus).toLowerCase(), color: 'red' };
}

const COLORS: Record<string, string> = { green: '#4c1', red: '#e05d44', lightgrey: '#9f9f9f' };
const xml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** /job/P/J/JOB/shield (shields.io endpoint JSON, as Hydra) and /badge (an SVG badge drawn here). */
export function jobBadgeRoutes(router: Router, ctx: RouteContext): void {
  const state = (req: { params: Record<string, string> }, res: Parameters<typeof requireJobset>[1]) => {
    const jobset = requireJobset(ctx, res, req.params.project, req.params.jobset);
    return badgeState(latestFinishedBuildStatus(ctx.db, jobset.id, String(req.params.job)));
  };
  router.get('/job/:project/:jobset/:job/shield', (req, res) => {
    const { message, color } = state(req, res);
    res.set('Cache-Control', 'no-cache').json({ schemaVersion: 1, label: 'hydra build', message, color });
  });
  router.get('/job/:project/:jobset/:job/badge', (req, res) => {
    const { message, color } = state(req, res);
    const label = 'build';
    const lw = 6 * label.length + 10;
    const mw = 6 * message.length + 10;
    res
      .set('Cache-Control', 'no-cache')
      .type('image/svg+xml')
      .send(
        `<svg xmlns="http://www.w3.org/2000/svg" width="${lw + mw}" height="20" role="img" ` +
          `aria-label="${xml(label)}: ${xml(message)}">` +
          `<rect width="${lw}" height="20" fill="#555"/>` +
          `<rect x="${lw}" width="${mw}" height="20" fill="${COLORS[color]}"/>` +
          `<g fill="#fff" font-family="Verdana,sans-serif" font-size="11"><text x="5" y="14">${xml(label)}</text>` +
          `<text x="${lw + 5}" y="14">${xml(message)}</text></g></svg>`,
      );
  });
}
