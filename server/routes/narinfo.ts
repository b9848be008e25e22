import type { Router } from 'express';
import { cacheFor, narinfoText, servablePath } from '../binary-cache.ts';
import type { RouteContext } from '../route-context.ts';

/** Hydra's Root.pm narinfo: /HASH.narinfo for a path this viewer may fetch, else 404 "does not exist". */
export function narinfoRoutes(router: Router, ctx: RouteContext): void {
  router.get('/:hash.narinfo', (req, res) => {
    const path = servablePath(ctx, res, String(req.params.hash));
    const info = path ? ctx.store.info(path) : null;
    if (!info) {
      cacheFor(res, 3600);
      res.status(404).type('text/plain').send('does not exist\n');
      return;
    }
    cacheFor(res, 24 * 3600);
    res.type('text/x-nix-narinfo').send(narinfoText(ctx, info));
  });
}
