import { createHmac } from 'node:crypto';
import { now } from '../core/db/database.ts';
import {
  dueDeliveries,
  markDelivered,
  markDeliveryFailed,
  markDeliverySkipped,
  type Delivery,
} from '../core/db/notifications.ts';
import { optedOut } from '../core/db/notify-recipients.ts';
import { webhookById } from '../core/db/webhooks.ts';
import type { MailSender, StoredMail } from '../core/mail/transport.ts';
import type { NotifierContext } from './context.ts';

const MAX_BACKOFF_SECONDS = 3600;
const BATCH = 100;

/** After the n-th failed attempt: --notify-retry seconds, doubling, at most an hour. Never given up. */
export function nextAttemptAfter(ctx: NotifierContext, attempts: number): number {
  const delay = Math.min(MAX_BACKOFF_SECONDS, Math.max(1, ctx.config.notifyRetrySeconds) * 2 ** Math.min(attempts, 20));
  return now() + delay;
}

/** The Message-ID of an outbox row: the same at every retry, so a resent mail is the same mail. */
export function messageIdOf(ctx: NotifierContext, outboxId: number): string {
  return `<hydrant-outbox-${outboxId}.${ctx.installationId}@${ctx.instance}>`;
}

/**
 * Sends the due mails one at a time; a row is marked sent only after the server accepted
 * it. A crash between the two resends that mail with the same Message-ID.
 */
export async function deliverMail(ctx: NotifierContext, sender: MailSender, stopping: () => boolean): Promise<number> {
  let sent = 0;
  for (const d of dueDeliveries(ctx.db, 'email', now(), BATCH)) {
    if (stopping()) break;
    try {
      const mail = JSON.parse(d.payload) as StoredMail;
      // Mail that waited (SMTP down) is not sent to someone who unsubscribed in the meantime.
      if (optedOut(ctx.db, d.recipient, mail.headers['X-Hydra-Project'] ?? '')) {
        markDeliverySkipped(ctx.db, d.id, 'not sent: the recipient unsubscribed before it could be delivered');
        continue;
      }
      await sender.send(
        { ...mail, to: d.recipient },
        { from: ctx.config.emailFrom, messageId: messageIdOf(ctx, d.id), date: new Date(d.created * 1000) },
      );
      markDelivered(ctx.db, d.id);
      sent++;
    } catch (e) {
      failed(ctx, d, e);
    }
  }
  return sent;
}

/** POSTs the due webhook bodies, signed with each endpoint's secret (X-Hydrant-Signature-256: sha256=HEX). */
export async function deliverWebhooks(ctx: NotifierContext, stopping: () => boolean): Promise<number> {
  let sent = 0;
  for (const d of dueDeliveries(ctx.db, 'webhook', now(), BATCH)) {
    if (stopping()) break;
    try {
      const { webhook, body } = JSON.parse(d.payload) as { webhook: number; body: unknown };
      const hook = webhookById(ctx.db, webhook);
      if (!hook) {
        markDelivered(ctx.db, d.id); // the endpoint was removed: nobody left to tell
        continue;
      }
      const text = JSON.stringify(body);
      const response = await fetch(d.recipient, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(30_000),
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'hydrant-notifier',
          'X-Hydrant-Delivery': String(d.id),
          'X-Hydrant-Event': String((body as { event?: string }).event ?? ''),
          'X-Hydrant-Signature-256': `sha256=${createHmac('sha256', hook.secret).update(text).digest('hex')}`,
        },
        body: text,
      });
      await response.body?.cancel();
      if (response.status < 200 || response.status >= 300)
        throw new Error(`HTTP ${response.status} from ${d.recipient}`);
      markDelivered(ctx.db, d.id);
      sent++;
    } catch (e) {
      failed(ctx, d, e);
    }
  }
  return sent;
}

function failed(ctx: NotifierContext, d: Delivery, e: unknown): void {
  // fetch() says only "fetch failed"; the reason (ECONNREFUSED, a timeout) is its cause.
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  const message =
    (e instanceof Error ? e.message : String(e)) + (cause ? `: ${cause.code ?? cause.message ?? ''}` : '');
  const next = nextAttemptAfter(ctx, d.attempts);
  markDeliveryFailed(ctx.db, d.id, message, next);
  ctx.log.warn(
    { outbox: d.id, kind: d.kind, attempts: d.attempts + 1, retryIn: next - now(), err: message },
    `${d.kind} not delivered; will retry`,
  );
}
