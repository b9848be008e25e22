import type { Router } from 'express';
import { compressedNar } from '../../core/nix/nar-stream.ts';
import { cacheFor, servablePath } from '../binary-cache.ts';
import { NotFound } from '../negotiate.ts';
import type { RouteContext } from '../route-context.ts';

/** Hydra's Root.pm nar and NixNAR view: /nar/BASENAME streams the path's NAR, xz-compressed. */
export function narRoutes(router: Router, ctx: RouteContext): void {
  router.get('/nar/:name', (req, res) => {
    const name = String(req.params.name);
    const path = servablePath(ctx, res, name.slice(0, 32));
    if (!path || !name.startsWith(path.slice('/nix/store/'.length))) throw new NotFound(`nar/${name}`);
    const nar = compressedNar(path);
    cacheFor(res, 365 * 24 * 3600);
    res.type('application/x-nix-archive');
    res.on('close', () => nar.stop());
    nar.stream.pipe(res);
    void nar.done.then((error) => {
      // Headers are gone by now: cutting the body short makes Nix reject it instead of accepting a bad NAR.
      if (error && !res.writableFinished) {
        ctx.log.error({ path, error }, 'serving a NAR failed');
        res.destroy();
      }
    });
  });
}
