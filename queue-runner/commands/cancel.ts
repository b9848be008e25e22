import { now } from '../../core/db/database.ts';
import { bareResult, finishBuild } from '../../core/db/build-results.ts';
import { BuildStatus } from '../../core/model/status.ts';
import type { CommandContext } from './context.ts';

/** Ends a queued or running build with status 4; steps only it needed are killed. */
export function cancelBuild(ctx: CommandContext, buildId: number): string {
  const queued = ctx.graph.builds.get(buildId);
  if (!finishBuild(ctx.db, buildId, bareResult(BuildStatus.Cancelled, queued?.row.starttime ?? now())))
    return `build ${buildId} is not queued or running; nothing to cancel`;
  const orphans = ctx.graph.removeBuild(buildId);
  ctx.stopSteps(orphans);
  return `build ${buildId} cancelled${orphans.length ? `; killed ${orphans.length} running step(s)` : ''}`;
}
