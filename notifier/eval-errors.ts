import { jobsetErrorStates, recordEvalErrorNotice } from '../core/db/eval-error-notices.ts';
import type { NewDelivery } from '../core/db/notifications.ts';
import { jobsetMailInfo, optedOut } from '../core/db/notify-recipients.ts';
import { webhooksFor } from '../core/db/webhooks.ts';
import { composeEvalErrorMail } from '../core/mail/compose.ts';
import { unsubscribeUrl } from '../core/mail/unsubscribe.ts';
import type { NotifierContext } from './context.ts';

/**
 * A jobset whose evaluation fails tells its project's owner once per distinct error text,
 * not at every check (the evaluator records the same error again each time it tries).
 */
export function announceEvalErrors(ctx: NotifierContext): number {
  let announced = 0;
  for (const s of jobsetErrorStates(ctx.db)) {
    // A whole-evaluation error, else the jobs that failed to evaluate (they have no build to mail about).
    const current =
      s.errormsg ?? s.fetcherrormsg ?? (s.joberrors ? `Jobs that failed to evaluate:\n${s.joberrors}` : null);
    if (current === s.notice) continue;
    if (current === null) {
      recordEvalErrorNotice(ctx.db, s.jobset_id, null, []);
      continue;
    }
    const deliveries: NewDelivery[] = [];
    const info = jobsetMailInfo(ctx.db, s.jobset_id);
    const url = `${ctx.config.baseUrl}/jobset/${encodeURIComponent(s.project)}/${encodeURIComponent(s.jobset)}`;
    const to = info?.owner_email;
    if (ctx.config.emailEnabled && to && !optedOut(ctx.db, to, s.project)) {
      const mail = composeEvalErrorMail(
        { instance: ctx.instance, project: s.project, jobset: s.jobset, url, error: current },
        to,
        unsubscribeUrl(ctx.config.baseUrl, ctx.secret, to, s.project),
      );
      deliveries.push({ kind: 'email', recipient: to, payload: mail });
    }
    for (const hook of webhooksFor(ctx.db, s.project, s.jobset)) {
      deliveries.push({
        kind: 'webhook',
        recipient: hook.url,
        payload: {
          webhook: hook.id,
          body: {
            event: 'evaluation-error',
            instance: ctx.instance,
            project: s.project,
            jobset: s.jobset,
            url,
            error: current.slice(0, 20_000),
          },
        },
      });
    }
    recordEvalErrorNotice(ctx.db, s.jobset_id, current, deliveries);
    announced++;
  }
  return announced;
}
