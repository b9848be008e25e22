import type { Router } from 'express';
import { evalErrors } from '../../core/db/evals.ts';
import { requireEval } from '../lookups.ts';
import { sendPage } from '../negotiate.ts';
import type { RouteContext } from '../route-context.ts';
import { links } from '../views/links.ts';

export function evalErrorsRoutes(router: Router, ctx: RouteContext): void {
  router.get('/eval/:id/errors', (req, res) => {
    const { evaluation, jobset } = requireEval(ctx, res, req.params.id);
    const errors = evalErrors(ctx.db, evaluation.id);
    sendPage(req, res, ctx.render, {
      template: 'eval-errors',
      view: {
        title: `Evaluation errors of evaluation ${evaluation.id}`,
        evaluation: { id: evaluation.id, url: links.eval(evaluation.id), errormsg: evaluation.errormsg },
        jobset: {
          project: jobset.project,
          name: jobset.name,
          url: links.jobset(jobset.project, jobset.name),
          projectUrl: links.project(jobset.project),
        },
        errors,
      },
      json: () => ({
        id: evaluation.id,
        errormsg: evaluation.errormsg ?? '',
        errors: Object.fromEntries(errors.map((e) => [e.job, e.message])),
      }),
    });
  });
}
