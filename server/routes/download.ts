import type { Request, Response, Router } from 'express';
import { buildOutputs, buildProducts } from '../../core/db/builds.ts';
import { outputContaining } from '../../core/nix/inside-output.ts';
import { requireBuild } from '../lookups.ts';
import { intParam, NotFound } from '../negotiate.ts';
import { productFile } from '../product-files.ts';
import { directoryRedirect } from '../product-redirect.ts';
import type { RouteContext } from '../route-context.ts';

/**
 * /build/N/download/K[/PATH]: a build product's file. Product files are written by the
 * builds, i.e. by anyone who can push a commit, so they are served sandboxed
 * (Content-Security-Policy: sandbox): an HTML report cannot run script as this site.
 */
export function downloadRoutes(router: Router, ctx: RouteContext): void {
  const serve = (req: Request, res: Response) => {
    const build = requireBuild(ctx, res, req.params.id);
    const nr = intParam(req.params.nr, 'product');
    const product = buildProducts(ctx.db, build.id).find((p) => p.productnr === nr);
    if (!product) throw new NotFound(`product ${nr} of build ${build.id}`);
    const rest = (req.params as Record<string, unknown>)['rest'];
    const segments = Array.isArray(rest) ? rest.map(String).filter((s) => s !== '') : [];
    const output = outputContaining(
      buildOutputs(ctx.db, build.id).map((o) => o.path),
      product.path,
    );
    const file = output === undefined ? null : productFile(output, product.path, segments, product.defaultpath);
    if (!file) throw new NotFound(`file ${segments.join('/')} in product ${nr} of build ${build.id}`);
    const redirect = directoryRedirect(req, segments, file, product.defaultpath);
    if (redirect) return res.redirect(301, redirect);
    // A product site's own stylesheets and images load (the sandboxed page has an opaque
    // origin, so the site-wide CORP same-origin would refuse them); its scripts never run.
    res.set({
      'Content-Security-Policy': 'sandbox',
      'X-Content-Type-Options': 'nosniff',
      'Cross-Origin-Resource-Policy': 'cross-origin',
    });
    res.sendFile(file, { dotfiles: 'allow', maxAge: 0 });
  };
  router.get('/build/:id/download/:nr', serve);
  router.get('/build/:id/download/:nr/*rest', serve);
}
