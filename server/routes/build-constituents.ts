import type { Router } from 'express';
import { buildBatch } from '../../core/db/build-batches.ts';
import { constituentIds } from '../../core/db/evals.ts';
import { buildJson } from '../json-shapes.ts';
import { requireBuild } from '../lookups.ts';
import { sendPage } from '../negotiate.ts';
import type { RouteContext } from '../route-context.ts';
import { buildSummary } from '../views/build-summary.ts';
import { links } from '../views/links.ts';

/** An aggregate job's constituent builds (Hydra's /build/N/constituents). */
export function buildConstituentsRoutes(router: Router, ctx: RouteContext): void {
  router.get('/build/:id/constituents', (req, res) => {
    const build = requireBuild(ctx, res, req.params.id);
    const ids = constituentIds(ctx.db, build.id);
    const position = new Map(ids.map((id, n) => [id, n]));
    // Hydra lists them by job name (Build.pm constituents_GET); buildBatch answers by id.
    const rows = buildBatch(ctx.db, ids).sort((a, b) => position.get(a.build.id)! - position.get(b.build.id)!);
    sendPage(req, res, ctx.render, {
      template: 'build-constituents',
      view: () => ({
        title: `Constituents of build ${build.id}`,
        build: { id: build.id, url: links.build(build.id), job: build.job },
        builds: rows.map((r) => buildSummary(r.build, new Set())),
      }),
      json: () => rows.map((r) => buildJson(r.build, r)),
    });
  });
}
