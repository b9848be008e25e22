import type { Router } from 'express';
import { countUndelivered, undelivered } from '../../core/db/notifications.ts';
import { viewerOf } from '../auth/session.ts';
import { Forbidden, HttpError, sendPage } from '../negotiate.ts';
import { pager, paging } from '../paging.ts';
import type { RouteContext } from '../route-context.ts';

/** What a delivery row is about, for the list: a mail's subject or a webhook's event. */
function about(kind: string, payload: string): string {
  try {
    const p = JSON.parse(payload) as {
      subject?: string;
      body?: { event?: string; project?: string; jobset?: string };
      status?: number;
    };
    if (kind === 'email') return p.subject ?? '';
    if (kind === 'webhook') return `${p.body?.event ?? ''} ${p.body?.project ?? ''}:${p.body?.jobset ?? ''}`;
    return kind === 'build-finished' ? `status ${p.status ?? '?'}` : '';
  } catch {
    return '';
  }
}

/**
 * Admins see what has not gone out: mails and webhooks waiting (no --smtp-url, server
 * down, endpoint failing) with their attempts and last error, and build events not yet
 * looked at by the notifier. Never the mail bodies: they may quote private projects' logs.
 */
export function adminNotificationsRoutes(router: Router, ctx: RouteContext): void {
  router.get('/admin/notifications', (req, res) => {
    const viewer = viewerOf(res);
    if (!viewer) throw new HttpError(401, 'log in first');
    if (!viewer.roles.includes('admin')) throw new Forbidden('only admins see the outbox');
    const p = paging(req, 100);
    const counts = countUndelivered(ctx.db);
    const rows = undelivered(ctx.db, p.rows, p.offset).map((r) => ({
      id: r.id,
      kind: r.kind,
      recipient: r.recipient,
      buildId: r.build_id,
      created: r.created,
      attempts: r.attempts,
      nextAttempt: r.next_attempt,
      lastError: r.last_error,
      about: about(r.kind, r.payload),
      failing: r.last_error !== null,
    }));
    sendPage(req, res, ctx.render, {
      template: 'admin-notifications',
      view: { title: 'Outbox', counts, rows, smtp: ctx.config.smtpUrl !== null, pager: pager(req, p, counts.total) },
      json: () => ({ pending: counts.total, failing: counts.failing, notifications: rows }),
    });
  });
}
