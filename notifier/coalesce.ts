import { now } from '../core/db/database.ts';
import {
  evalFullyReported,
  evalsWithWaitingChanges,
  queueBatch,
  waitingChanges,
  type NewDelivery,
  type WaitingChange,
} from '../core/db/notifications.ts';
import { jobsetMailInfo } from '../core/db/notify-recipients.ts';
import { webhooksFor } from '../core/db/webhooks.ts';
import { composeBuildMail, type BuildMail } from '../core/mail/compose.ts';
import { unsubscribeUrl } from '../core/mail/unsubscribe.ts';
import { blameFor } from './blame.ts';
import { groupChanges } from './group-changes.ts';
import type { NotifierContext } from './context.ts';
import { buildMailRecipients } from './recipients.ts';

/**
 * One mail per recipient per evaluation: the changes of an evaluation wait until all its
 * builds have finished, or until the oldest has waited --email-wait seconds, then go out
 * together. Returns how many batches it queued.
 */
export async function coalesceChanges(ctx: NotifierContext): Promise<number> {
  let batches = 0;
  for (const { eval_id: evalId, oldest } of evalsWithWaitingChanges(ctx.db)) {
    const complete = evalId === null || evalFullyReported(ctx.db, evalId);
    if (!complete && oldest + ctx.config.emailWaitSeconds > now()) continue;
    const changes = waitingChanges(ctx.db, evalId);
    if (!changes.length) continue;
    const deliveries = await deliveriesFor(ctx, evalId, changes, complete);
    if (
      queueBatch(
        ctx.db,
        changes.map((c) => c.outbox_id),
        deliveries,
      )
    )
      batches++;
  }
  return batches;
}

async function deliveriesFor(
  ctx: NotifierContext,
  evalId: number | null,
  changes: WaitingChange[],
  complete: boolean,
): Promise<NewDelivery[]> {
  const jobsetId = changes[0]!.jobset_id;
  const info = jobsetMailInfo(ctx.db, jobsetId);
  if (!info) return [];
  const entries = await groupChanges(ctx, jobsetId, changes);
  if (!entries.length) return [];
  const hasRegression = entries.some((e) => e.kind === 'regression');
  const blame = evalId !== null && hasRegression ? await blameFor(ctx, jobsetId, evalId) : null;
  const mail: BuildMail = {
    instance: ctx.instance,
    project: info.project,
    jobset: info.jobset,
    evalId,
    evalUrl: evalId !== null ? `${ctx.config.baseUrl}/eval/${evalId}` : null,
    changes: entries,
    blame,
    complete,
  };
  const out: NewDelivery[] = [];
  if (ctx.config.emailEnabled) {
    for (const to of buildMailRecipients(ctx, info, changes, blame, hasRegression)) {
      out.push({
        kind: 'email',
        recipient: to,
        payload: composeBuildMail(mail, to, unsubscribeUrl(ctx.config.baseUrl, ctx.secret, to, info.project)),
      });
    }
  }
  for (const hook of webhooksFor(ctx.db, info.project, info.jobset)) {
    out.push({ kind: 'webhook', recipient: hook.url, payload: { webhook: hook.id, body: webhookBody(mail) } });
  }
  return out;
}

function webhookBody(m: BuildMail): unknown {
  return {
    event: 'build-status-changed',
    instance: m.instance,
    project: m.project,
    jobset: m.jobset,
    eval: m.evalId,
    evalUrl: m.evalUrl,
    complete: m.complete,
    changes: m.changes.map((c) => ({
      job: c.job,
      system: c.system,
      url: c.url,
      kind: c.kind,
      oldStatus: c.oldStatus,
      newStatus: c.newStatus,
      dependents: c.dependents.map((d) => ({ job: d.job, system: d.system, url: d.url })),
    })),
    blame: m.blame && {
      count: m.blame.count,
      commits: m.blame.commits.map((c) => ({ hash: c.hash, author: c.author, email: c.email, subject: c.subject })),
    },
  };
}
