import type { Router } from 'express';
import { NIX_STORE_DIR } from '../../core/nix/local-store.ts';
import type { RouteContext } from '../route-context.ts';

/** Hydra's Root.pm nix_cache_info: a low priority, so other caches are asked first. */
export function nixCacheInfoRoutes(router: Router, _ctx: RouteContext): void {
  router.get('/nix-cache-info', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=86400');
    res.type('text/plain').send(`StoreDir: ${NIX_STORE_DIR}\nWantMassQuery: 0\nPriority: 100\n`);
  });
}
