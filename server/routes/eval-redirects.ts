import type { Router } from 'express';
import { evalBuildOfJob, latestFinishedEvalId } from '../../core/db/evals.ts';
import { requireEval, requireJobset } from '../lookups.ts';
import { NotFound } from '../negotiate.ts';
import { restOf } from '../redirect-rest.ts';
import type { RouteContext } from '../route-context.ts';
import { links } from '../views/links.ts';

/**
 * Hydra's stable URLs into evaluations, which scripts and channel updaters follow:
 * /jobset/P/J/latest-eval (the newest evaluation whose builds have all finished) and
 * /eval/N/job/JOB (that job's build in evaluation N), extra segments appended.
 */
export function evalRedirectRoutes(router: Router, ctx: RouteContext): void {
  router.get(['/jobset/:project/:jobset/latest-eval', '/jobset/:project/:jobset/latest-eval/*rest'], (req, res) => {
    const jobset = requireJobset(ctx, res, req.params.project, req.params.jobset);
    const evalId = latestFinishedEvalId(ctx.db, jobset.id);
    if (evalId === undefined) throw new NotFound(`a finished evaluation of ${jobset.project}:${jobset.name}`);
    res.redirect(302, links.eval(evalId) + restOf(req));
  });
  router.get(['/eval/:id/job/:job', '/eval/:id/job/:job/*rest'], (req, res) => {
    const { evaluation } = requireEval(ctx, res, req.params.id);
    const buildId = evalBuildOfJob(ctx.db, evaluation.id, String(req.params.job));
    if (buildId === undefined) throw new NotFound(`job ${req.params.job} in evaluation ${evaluation.id}`);
    res.redirect(302, links.build(buildId) + restOf(req));
  });
}
