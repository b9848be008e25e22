import type { Request, Response, Router } from 'express';
import { unsubscribeAddress } from '../../core/db/notify-recipients.ts';
import { installationSecret } from '../../core/db/secrets.ts';
import { validUnsubscribeToken } from '../../core/mail/unsubscribe.ts';
import { BadRequest, Forbidden, sendPage } from '../negotiate.ts';
import type { RouteContext } from '../route-context.ts';

/** The signing key, read (made, on a fresh database) once per connection, not at every request. */
const keys = new WeakMap<object, string>();
function signingKey(ctx: RouteContext): string {
  let key = keys.get(ctx.db);
  if (!key) keys.set(ctx.db, (key = installationSecret(ctx.db, 'unsubscribe')));
  return key;
}

/** The address and project a link names, if its signature is ours. */
function signedTarget(ctx: RouteContext, req: Request): { address: string; project: string } {
  const q = { ...req.query, ...(typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {}) };
  const [address, project, token] = [q['address'], q['project'] ?? '', q['token']];
  if (
    typeof address !== 'string' ||
    typeof project !== 'string' ||
    typeof token !== 'string' ||
    !address ||
    address.length > 254
  ) {
    throw new BadRequest('an unsubscribe link needs address, project and token');
  }
  if (!validUnsubscribeToken(signingKey(ctx), address, project, token)) {
    throw new Forbidden('this unsubscribe link is not valid (it may have been altered)');
  }
  return { address, project };
}

/**
 * The List-Unsubscribe link of every mail: it works without logging in because it is signed.
 * GET only asks (link scanners must not unsubscribe anyone); POST, from the page's button or
 * a mail client's one-click unsubscribe (RFC 8058), does it. The project name shown is the
 * one in the signed link; nothing about the project is read.
 */
export function unsubscribeRoutes(router: Router, ctx: RouteContext): void {
  const page = (req: Request, res: Response, done: boolean) => {
    const { address, project, token } = {
      ...signedTarget(ctx, req),
      token: String(req.query['token'] ?? (req.body as Record<string, unknown>)?.['token'] ?? ''),
    };
    sendPage(req, res, ctx.render, {
      template: 'unsubscribe',
      view: {
        title: done ? 'Unsubscribed' : 'Unsubscribe',
        done,
        address,
        project,
        token,
        scope: project ? `project ${project}` : 'hydrant',
      },
      json: () => ({ address, project, unsubscribed: done }),
    });
  };
  router.get('/unsubscribe', (req, res) => page(req, res, false));
  router.post('/unsubscribe', (req, res) => {
    const { address, project } = signedTarget(ctx, req);
    unsubscribeAddress(ctx.db, address, project);
    page(req, res, true);
  });
}
