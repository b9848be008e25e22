import { bumpBuilds, unfinishedBuildsOfEval } from '../../core/db/build-actions.ts';
import type { CommandContext } from './context.ts';

/** Hydra's "bump builds to front of queue" of an evaluation: its queued builds, together, ahead of everything else. */
export function bumpEval(ctx: CommandContext, evalId: number): string {
  const { priority, bumped } = bumpBuilds(ctx.db, unfinishedBuildsOfEval(ctx.db, evalId));
  for (const id of bumped) {
    const queued = ctx.graph.builds.get(id);
    if (queued) queued.row.globalpriority = priority;
  }
  return bumped.length ? `bumped ${bumped.length} build(s) of evaluation ${evalId} to global priority ${priority}` : `evaluation ${evalId} has no queued builds`;
}
