import { evalBuildIdsIn } from '../../core/db/build-actions.ts';
import type { CommandContext } from './context.ts';
import { restartBuild } from './restart.ts';

/** Hydra's "restart all failed builds" of an evaluation. */
export async function restartFailedOfEval(ctx: CommandContext, evalId: number): Promise<string> {
  const failed = evalBuildIdsIn(ctx.db, evalId, 'failed');
  for (const id of failed) await restartBuild(ctx, id);
  return failed.length
    ? `restarted ${failed.length} failed build(s) of evaluation ${evalId}: ${failed.join(', ')}`
    : `evaluation ${evalId} has no failed builds`;
}
