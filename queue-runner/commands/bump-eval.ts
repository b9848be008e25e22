import { evalBuildIdsIn } from '../../core/db/build-actions.ts';
import { bumpQueued } from './bump.ts';
import type { CommandContext } from './context.ts';

/** Hydra's "bump builds to front of queue" of an evaluation: its queued builds, together, ahead of everything else. */
export function bumpEval(ctx: CommandContext, evalId: number): string {
  const { priority, bumped } = bumpQueued(ctx, evalBuildIdsIn(ctx.db, evalId, 'unfinished'));
  return bumped.length
    ? `bumped ${bumped.length} build(s) of evaluation ${evalId} to global priority ${priority}`
    : `evaluation ${evalId} has no queued builds`;
}
