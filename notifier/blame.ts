import { join } from 'node:path';
import { responsibleInputRevisions } from '../core/db/notify-recipients.ts';
import { commitsBetween, mirrorPath, type Commit } from '../core/git.ts';
import type { Blame } from '../core/mail/compose.ts';
import type { NotifierContext } from './context.ts';

/**
 * The commits between the previous evaluation's revisions and this one's, over the inputs
 * marked emailresponsible, read from hydrant's own git mirrors (STATE_DIR/git). Null when no
 * input is marked. Past the cap only the count is kept.
 */
export async function blameFor(ctx: NotifierContext, jobsetId: number, evalId: number): Promise<Blame | null> {
  const inputs = responsibleInputRevisions(ctx.db, jobsetId, evalId);
  if (!inputs.length) return null;
  const cap = ctx.config.blameMax;
  let count = 0;
  const commits: Commit[] = [];
  for (const input of inputs) {
    // No previous evaluation: nothing to compare with, so nobody to blame.
    if (input.from === null || input.from === input.to) continue;
    try {
      // One more than the cap tells "over the cap" without listing a huge range.
      const r = await commitsBetween(
        mirrorPath(join(ctx.config.stateDir, 'git'), input.uri),
        input.from,
        input.to,
        cap + 1,
      );
      count += r.count;
      commits.push(...r.commits);
    } catch (e) {
      ctx.log.warn({ err: e, input: input.name }, 'cannot read the commits to blame; the mail goes without them');
    }
  }
  const authorsMailed = count <= cap;
  return { count, commits: authorsMailed ? commits.slice(0, cap) : [], authorsMailed };
}
