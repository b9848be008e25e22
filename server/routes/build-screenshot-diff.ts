import type { Request, Response, Router } from 'express';
import { screenshotDiff } from '../../core/db/screenshots.ts';
import { requireBuild } from '../lookups.ts';
import { intParam, NotFound } from '../negotiate.ts';
import type { RouteContext } from '../route-context.ts';

/** /build/N/screenshot-diff/K[/FILE]: the difference image computed when the build was recorded. */
export function buildScreenshotDiffRoutes(router: Router, ctx: RouteContext): void {
  const serve = (req: Request, res: Response) => {
    const build = requireBuild(ctx, res, req.params.id);
    const nr = intParam(req.params.nr, 'product');
    const file = typeof req.params.file === 'string' ? req.params.file : '';
    const png = screenshotDiff(ctx.db, build.id, nr, file);
    if (!png) throw new NotFound(`a difference image for product ${nr} of build ${build.id}`);
    res
      .set({ 'Content-Type': 'image/png', 'Cache-Control': 'private, no-cache', 'Content-Security-Policy': 'sandbox' })
      .send(png);
  };
  router.get('/build/:id/screenshot-diff/:nr', serve);
  router.get('/build/:id/screenshot-diff/:nr/:file', serve);
}
