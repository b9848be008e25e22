import {
  buildOutputPaths,
  failedBuildsOfDrv,
  restartBuilds,
  stepOutputPathsOfDrv,
} from '../../core/db/build-actions.ts';
import { getBuild } from '../../core/db/builds.ts';
import { failedStepDrvs } from '../../core/db/steps.ts';
import type { CommandContext } from './context.ts';

/**
 * Puts a finished build back in the queue. Its failed steps' outputs leave the failed-paths
 * cache, and failed builds of the dependency that broke it are queued again too — a
 * restart that ends at once as "cached failure" again helps no one (Hydra #169, #369).
 */
export async function restartBuild(ctx: CommandContext, buildId: number): Promise<string> {
  const build = getBuild(ctx.db, buildId);
  if (!build) return `build ${buildId} does not exist`;
  if (!build.finished) return `build ${buildId} is still queued; nothing to restart`;
  const failedDrvs = new Set(failedStepDrvs(ctx.db, buildId).map((s) => s.drvpath));
  failedDrvs.add(build.drvpath);
  const paths = new Set(buildOutputPaths(ctx.db, buildId));
  for (const drv of failedDrvs) {
    for (const p of stepOutputPathsOfDrv(ctx.db, drv)) paths.add(p);
    const d = await ctx.nix.readDerivation(drv).catch(() => null);
    for (const o of Object.values(d?.outputs ?? {})) paths.add(o.path);
  }
  const dependencies = [...failedDrvs].filter((d) => d !== build.drvpath).flatMap((d) => failedBuildsOfDrv(ctx.db, d));
  const { requeued, cleared } = restartBuilds(ctx.db, [buildId, ...new Set(dependencies)], [...paths]);
  const others = requeued.filter((id) => id !== buildId);
  const alsoRestarted = others.length ? `; also restarted dependency build(s) ${others.join(', ')}` : '';
  return `build ${buildId} restarted; ${cleared} cached failure(s) cleared${alsoRestarted}`;
}
