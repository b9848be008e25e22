import type { WaitingChange } from '../core/db/notifications.ts';
import { optedOut, subscriberAddresses, type JobsetMailInfo } from '../core/db/notify-recipients.ts';
import { addressesIn, uniqueAddresses } from '../core/mail/addresses.ts';
import type { Blame } from '../core/mail/compose.ts';
import type { NotifierContext } from './context.ts';

/**
 * Who gets the mail of a batch: the jobset's emailoverride if set, else the changed jobs'
 * meta.maintainers; the authors of the blamed commits (regressions only, and only under the
 * cap); the users subscribed to the project or jobset. `enableemail` off leaves only the
 * subscribers, who asked; an address that unsubscribed gets nothing.
 */
export function buildMailRecipients(
  ctx: NotifierContext,
  info: JobsetMailInfo,
  changes: WaitingChange[],
  blame: Blame | null,
  hasRegression: boolean,
): string[] {
  const candidates: string[] = [];
  if (info.enableemail) {
    const override = addressesIn(info.emailoverride);
    if (override.length) candidates.push(...override);
    else for (const c of changes) candidates.push(...addressesIn(c.maintainers));
    if (hasRegression && blame?.authorsMailed) for (const c of blame.commits) candidates.push(...addressesIn(c.email));
  }
  candidates.push(...subscriberAddresses(ctx.db, info.project, info.jobset));
  return uniqueAddresses(candidates).filter((a) => !optedOut(ctx.db, a, info.project));
}
