import type { Request } from 'express';
import type { RouteContext } from './route-context.ts';

/**
 * The site's public URL for links a client copies (a channel's binary cache, a reproduce
 * script's substituter): --base-url, or, when the server picked its port itself (port 0,
 * so the configured URL cannot be right), the address this request came to.
 */
export function siteUrl(ctx: RouteContext, req: Request): string {
  if (ctx.config.port !== 0) return ctx.config.baseUrl;
  return `${req.protocol}://${req.get('host') ?? `${ctx.config.host}:0`}`;
}
