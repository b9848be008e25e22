import type { Request, Response, Router } from 'express';
import type { ChannelBuild } from '../../core/db/channels.ts';
import { evalChannelBuilds, latestChannelBuilds } from '../../core/db/channels.ts';
import { channelExpression } from '../channel-expression.ts';
import { channelTar, compress, COMPRESSORS } from '../channel-tarball.ts';
import { requireEval, requireJobset } from '../lookups.ts';
import { NotFound, sendPage } from '../negotiate.ts';
import type { RouteContext } from '../route-context.ts';
import { siteUrl } from '../site-url.ts';
import { links } from '../views/links.ts';

interface Channel {
  name: string;
  builds: ChannelBuild[];
}

/**
 * Hydra's generated channels (Base/Controller/NixChannel.pm, View/NixExprs.pm):
 * `…/channel/latest` of a jobset or job and `/eval/N/channel`, each with `nixexprs.tar.bz2`
 * (and `.tar.xz`), `binary-cache-url` and a contents page.
 */
export function channelRoutes(router: Router, ctx: RouteContext): void {
  const contents = (req: Request, res: Response, channel: Channel) => {
    const packages = channel.builds
      .map((b) => ({
        id: b.id,
        job: b.job,
        system: b.system,
        name: b.releasename || b.nixname || b.job,
        url: links.build(b.id),
        outputs: b.outputs,
      }))
      .sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()) || a.id - b.id);
    sendPage(req, res, ctx.render, {
      template: 'channel',
      view: () => ({
        title: `Channel ${channel.name}`,
        name: channel.name,
        packages,
        baseUrl: siteUrl(ctx, req),
        channelPath: (req.originalUrl.split('?')[0] ?? '').replace(/\/$/, ''),
      }),
      json: () => ({ name: channel.name, packages }),
    });
  };
  const file = async (req: Request, res: Response, channel: Channel) => {
    const name = String(req.params.file);
    if (name === 'binary-cache-url') {
      res.type('text/plain').send(`${siteUrl(ctx, req)}/`);
      return;
    }
    const compressor = COMPRESSORS[name as keyof typeof COMPRESSORS];
    if (!compressor) throw new NotFound(`channel file ${name}`);
    const body = await compress(channelTar(channel.name, channelExpression(channel.builds)), compressor.program);
    res.type(compressor.type).send(body);
  };
  const jobsetChannel = (req: Request, res: Response): Channel => {
    const jobset = requireJobset(ctx, res, req.params.project, req.params.jobset);
    return { name: `${jobset.project}-${jobset.name}-latest`, builds: latestChannelBuilds(ctx.db, jobset.id) };
  };
  const jobChannel = (req: Request, res: Response): Channel => {
    const jobset = requireJobset(ctx, res, req.params.project, req.params.jobset);
    const job = String(req.params.job);
    return {
      name: `${jobset.project}-${jobset.name}-${job}-latest`,
      builds: latestChannelBuilds(ctx.db, jobset.id, job),
    };
  };
  const evalChannel = (req: Request, res: Response): Channel => {
    const { evaluation, jobset } = requireEval(ctx, res, req.params.id);
    return { name: `${jobset.project}-${jobset.name}-latest`, builds: evalChannelBuilds(ctx.db, evaluation.id) };
  };
  for (const [base, find] of [
    ['/jobset/:project/:jobset/channel/latest', jobsetChannel],
    ['/job/:project/:jobset/:job/channel/latest', jobChannel],
    ['/eval/:id/channel', evalChannel],
  ] as const) {
    router.get(base, (req, res) => contents(req, res, find(req, res)));
    router.get(`${base}/:file`, (req, res) => file(req, res, find(req, res)));
  }
}
