import type { Router } from 'express';
import { evalBuilds, runningBuildIds } from '../../core/db/builds.ts';
import { evalErrors, evalInputs, getEval } from '../../core/db/evals.ts';
import { getJobsetById } from '../../core/db/jobsets.ts';
import { evalJson } from '../json-shapes.ts';
import { intParam, NotFound, sendPage } from '../negotiate.ts';
import type { RouteContext } from '../route-context.ts';
import { buildSummary } from '../views/build-summary.ts';
import { links } from '../views/links.ts';

export function evalRoutes(router: Router, { db, render }: RouteContext): void {
  router.get('/eval/:id', (req, res) => {
    const evaluation = getEval(db, intParam(req.params.id, 'evaluation'));
    if (!evaluation) throw new NotFound(`evaluation ${req.params.id}`);
    const jobset = getJobsetById(db, evaluation.jobset_id)!;
    const builds = evalBuilds(db, evaluation.id);
    const inputs = evalInputs(db, evaluation.id);
    const running = runningBuildIds(db);
    sendPage(req, res, render, {
      template: 'eval',
      view: {
        title: `Evaluation ${evaluation.id} of ${jobset.project}:${jobset.name}`,
        evaluation,
        jobset: { project: jobset.project, name: jobset.name, url: links.jobset(jobset.project, jobset.name), projectUrl: links.project(jobset.project) },
        inputs,
        builds: builds.map((b) => buildSummary(b, running)),
        errors: evalErrors(db, evaluation.id),
      },
      json: () => evalJson(evaluation, inputs, builds.map((b) => b.id)),
    });
  });
}
