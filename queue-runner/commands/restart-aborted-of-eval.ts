import { evalBuildIdsIn } from '../../core/db/build-actions.ts';
import type { CommandContext } from './context.ts';
import { restartBuild } from './restart.ts';

/** Hydra's "restart all aborted builds" of an evaluation: aborted (3), cancelled (4), unsupported (9). */
export async function restartAbortedOfEval(ctx: CommandContext, evalId: number): Promise<string> {
  const aborted = evalBuildIdsIn(ctx.db, evalId, 'aborted');
  for (const id of aborted) await restartBuild(ctx, id);
  return aborted.length
    ? `restarted ${aborted.length} aborted build(s) of evaluation ${evalId}: ${aborted.join(', ')}`
    : `evaluation ${evalId} has no aborted builds`;
}
