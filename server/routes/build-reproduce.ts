import type { Router } from 'express';
import { buildEvalIds } from '../../core/db/builds.ts';
import { evalInputs, getEval } from '../../core/db/evals.ts';
import { requireBuild } from '../lookups.ts';
import { NotFound } from '../negotiate.ts';
import { reproduceScript } from '../reproduce-script.ts';
import type { RouteContext } from '../route-context.ts';
import { siteUrl } from '../site-url.ts';
import { links } from '../views/links.ts';

/** Hydra's /build/N/reproduce: a script that rebuilds the job from the inputs of the build's first evaluation. */
export function buildReproduceRoutes(router: Router, ctx: RouteContext): void {
  router.get('/build/:id/reproduce', (req, res) => {
    const build = requireBuild(ctx, res, req.params.id);
    const firstEval = buildEvalIds(ctx.db, build.id)[0];
    const evaluation = firstEval === undefined ? undefined : getEval(ctx.db, firstEval);
    if (!evaluation) throw new NotFound(`an evaluation of build ${build.id}`);
    const base = siteUrl(ctx, req);
    res.set('Content-Disposition', `attachment; filename="reproduce-build-${build.id}.sh"`);
    res.type('text/x-shellscript').send(
      reproduceScript({
        buildId: build.id,
        project: build.project,
        jobset: build.jobset,
        job: build.job,
        buildUrl: base + links.build(build.id),
        cacheUrl: base,
        nixexprinput: evaluation.nixexprinput ?? '',
        nixexprpath: evaluation.nixexprpath ?? 'release.nix',
        inputs: evalInputs(ctx.db, evaluation.id),
      }),
    );
  });
}
