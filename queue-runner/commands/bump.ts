import { bumpBuild } from '../../core/db/build-actions.ts';
import { getBuild } from '../../core/db/builds.ts';
import type { CommandContext } from './context.ts';

/** Moves a queued build (and the steps it needs) ahead of everything queued so far. */
export function bump(ctx: CommandContext, buildId: number): string {
  if (!bumpBuild(ctx.db, buildId)) return `build ${buildId} is not queued; nothing to bump`;
  const queued = ctx.graph.builds.get(buildId);
  const row = getBuild(ctx.db, buildId);
  if (queued && row) queued.row.globalpriority = row.globalpriority;
  return `build ${buildId} bumped to global priority ${row?.globalpriority}`;
}
