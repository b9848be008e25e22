import type { Request, Response, Router } from 'express';
import { channelProductNr, lastSuccessfulChannelJob } from '../../core/db/channels.ts';
import { constituentIds } from '../../core/db/evals.ts';
import { buildBatch } from '../../core/db/build-batches.ts';
import { requireJobset } from '../lookups.ts';
import { NotFound, sendPage } from '../negotiate.ts';
import type { RouteContext } from '../route-context.ts';
import { siteUrl } from '../site-url.ts';
import { links } from '../views/links.ts';

/**
 * Hydra's custom channels (Controller/Channel.pm): /channel/custom/P/J/CHANNEL names the
 * newest successful build of job CHANNEL; `/FILE` redirects to its "channel" product of
 * that name (nixexprs.tar.xz for a nixpkgs-style channel), `/binary-cache-url` says where
 * the binaries are, and the page itself lists the channel job's constituents.
 */
export function channelCustomRoutes(router: Router, ctx: RouteContext): void {
  const base = '/channel/custom/:project/:jobset/:channel';
  const lastSuccessful = (req: Request, res: Response): number => {
    const jobset = requireJobset(ctx, res, req.params.project, req.params.jobset);
    const id = lastSuccessfulChannelJob(ctx.db, jobset.id, String(req.params.channel));
    if (id === undefined)
      throw new NotFound(`channel ${String(req.params.channel)} either does not exist or was never built successfully`);
    return id;
  };
  router.get(base, (req, res) => {
    const id = lastSuccessful(req, res);
    const rows = buildBatch(ctx.db, constituentIds(ctx.db, id)).sort((a, b) => a.build.job.localeCompare(b.build.job));
    const constituents = rows.map((r) => ({ id: r.build.id, job: r.build.job, url: links.build(r.build.id) }));
    sendPage(req, res, ctx.render, {
      template: 'channel-custom',
      view: () => ({
        title: `Channel ${String(req.params.channel)}`,
        name: String(req.params.channel),
        build: { id, url: links.build(id) },
        constituents,
      }),
      json: () => ({ build: id, constituents }),
    });
  });
  router.get(`${base}/binary-cache-url`, (req, res) => {
    lastSuccessful(req, res);
    res.type('text/plain').send(`${siteUrl(ctx, req)}/`);
  });
  router.get(`${base}/:product`, (req, res) => {
    const id = lastSuccessful(req, res);
    const name = String(req.params.product);
    const nr = channelProductNr(ctx.db, id, name);
    if (nr === undefined) throw new NotFound(`channel product ${name}`);
    res.redirect(302, `${links.download(id, nr)}/${encodeURIComponent(name)}`);
  });
}
