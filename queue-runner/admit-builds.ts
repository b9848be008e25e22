import { buildOutputs } from '../core/db/builds.ts';
import { isFailedPath } from '../core/db/failed-paths.ts';
import { now } from '../core/db/database.ts';
import { bareResult, finishBuild } from '../core/db/build-results.ts';
import { BuildStatus } from '../core/model/status.ts';
import { failBuilds, type ApplyContext } from './apply-outcome.ts';
import { expandBuilds } from './expand-builds.ts';
import { finishSuccessfulBuild, inspectOutputs } from './finish-build.ts';
import type { QueueBacklog } from './queue-backlog.ts';

/**
 * Takes builds the evaluator (or a restart) queued into the step graph. Builds whose
 * outputs exist end at once as cached; a step whose outputs are in the failed-paths cache
 * ends its builds at once as failed (1) or dependency failed (2), marked cached, with a
 * step of status 8 (cached failure). Takes the next batch of `backlog` (`relist`: see
 * QueueBacklog.next); returns how many builds it took in.
 */
export async function admitNewBuilds(ctx: ApplyContext, backlog: QueueBacklog, relist: boolean): Promise<number> {
  const rows = backlog.next(ctx.db, ctx.graph, relist);
  if (rows.length === 0) return 0;
  const { admitted, unreadable } = await expandBuilds(ctx.graph, ctx.nix, rows);
  for (const { row, message } of unreadable) {
    ctx.log.error({ build: row.id, err: message }, 'build cannot be built; ended as aborted');
    finishBuild(ctx.db, row.id, bareResult(BuildStatus.Aborted, now()), {
      drvPath: row.drvpath,
      status: BuildStatus.Aborted,
      errormsg: message,
      machine: '',
      system: row.system,
      logfile: null,
      propagatedFrom: null,
      startTime: null,
    });
  }
  for (const build of admitted) {
    if (build.top) continue;
    ctx.graph.removeBuild(build.row.id);
    const outputs = Object.fromEntries(buildOutputs(ctx.db, build.row.id).map((o) => [o.name, o.path]));
    await finishSuccessfulBuild(ctx.db, ctx.roots, build.row, await inspectOutputs(ctx.nix, outputs), {
      cached: true,
      step: null,
    });
  }
  const steps = new Set(admitted.flatMap((b) => [...b.steps]));
  for (const step of steps) {
    if (step.builds.size === 0 || step.running || !Object.values(step.outputs).some((p) => isFailedPath(ctx.db, p)))
      continue;
    failBuilds(
      ctx,
      step,
      BuildStatus.CachedFailure,
      'cached failure: this derivation failed before (restart the build to try again)',
      null,
    );
  }
  return rows.length;
}
