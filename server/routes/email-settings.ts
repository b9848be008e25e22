import type { Router } from 'express';
import {
  optedOut,
  resubscribeAddress,
  unsubscribeAddress,
  userEmail,
  userSubscriptions,
} from '../../core/db/notify-recipients.ts';
import { actionDone } from '../action-response.ts';
import { viewerOf } from '../auth/session.ts';
import { HttpError, sendPage } from '../negotiate.ts';
import type { RouteContext } from '../route-context.ts';
import { links } from '../views/links.ts';

/** A logged-in user's own mail settings: the global opt-out and their subscriptions. */
export function emailSettingsRoutes(router: Router, ctx: RouteContext): void {
  const { db } = ctx;
  const me = (res: Parameters<typeof viewerOf>[0]) => {
    const viewer = viewerOf(res);
    if (!viewer) throw new HttpError(401, 'log in first');
    return { viewer, email: userEmail(db, viewer.username) };
  };
  router.get('/settings/email', (req, res) => {
    const { viewer, email } = me(res);
    const view = {
      title: 'Mail settings',
      email,
      optedOut: email ? optedOut(db, email, '') : false,
      subscriptions: userSubscriptions(db, viewer.username).map((s) => ({
        ...s,
        url: s.jobset ? links.jobset(s.project, s.jobset) : links.project(s.project),
      })),
    };
    sendPage(req, res, ctx.render, { template: 'email-settings', view, json: () => view });
  });
  router.post('/settings/email', (req, res) => {
    const { email } = me(res);
    if (!email) throw new HttpError(400, 'your account has no e-mail address');
    const v = (req.body as Record<string, unknown> | undefined)?.['optout'];
    const optOut = v === true || v === '1' || v === 1 || v === 'true';
    if (optOut) unsubscribeAddress(db, email, '');
    else resubscribeAddress(db, email, '');
    actionDone(req, res, '/settings/email', { email, optedOut: optOut });
  });
}
