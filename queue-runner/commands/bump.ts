import { bumpBuilds } from '../../core/db/build-actions.ts';
import type { CommandContext } from './context.ts';

/**
 * Moves queued builds (and the steps they need) ahead of everything queued so far, in the database
 * and in the step graph.
 */
export function bumpQueued(ctx: CommandContext, ids: readonly number[]): { priority: number; bumped: number[] } {
  const result = bumpBuilds(ctx.db, ids);
  for (const id of result.bumped) {
    const queued = ctx.graph.builds.get(id);
    if (queued) queued.row.globalpriority = result.priority;
  }
  return result;
}

/** Hydra's bump of one build. */
export function bump(ctx: CommandContext, buildId: number): string {
  const { priority, bumped } = bumpQueued(ctx, [buildId]);
  return bumped.length
    ? `build ${buildId} bumped to global priority ${priority}`
    : `build ${buildId} is not queued; nothing to bump`;
}
