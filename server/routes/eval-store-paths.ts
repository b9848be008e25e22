import type { Router } from 'express';
import { evalNixBuildStorePaths } from '../../core/db/global-lists.ts';
import { requireEval } from '../lookups.ts';
import type { RouteContext } from '../route-context.ts';

/** Hydra's /eval/N/store-paths (JobsetEval.pm store_paths): a JSON list of nix-build outputs that succeeded. */
export function evalStorePathsRoutes(router: Router, ctx: RouteContext): void {
  router.get('/eval/:id/store-paths', (req, res) => {
    const { evaluation } = requireEval(ctx, res, req.params.id);
    res.vary('Accept').json(evalNixBuildStorePaths(ctx.db, evaluation.id));
  });
}
