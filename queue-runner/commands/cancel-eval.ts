import { evalBuildIdsIn } from '../../core/db/build-actions.ts';
import { cancelBuild } from './cancel.ts';
import type { CommandContext } from './context.ts';

/** Hydra's "cancel all scheduled builds" of an evaluation: every build of it still queued or running. */
export function cancelEval(ctx: CommandContext, evalId: number): string {
  const unfinished = evalBuildIdsIn(ctx.db, evalId, 'unfinished');
  for (const id of unfinished) cancelBuild(ctx, id);
  return unfinished.length
    ? `cancelled ${unfinished.length} build(s) of evaluation ${evalId}: ${unfinished.join(', ')}`
    : `evaluation ${evalId} has no queued builds`;
}
