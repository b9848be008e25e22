import type { Router } from 'express';
import { evalSummary, listEvals } from '../../core/db/evals.ts';
import { getJobset, jobsetInputs } from '../../core/db/jobsets.ts';
import { jobsetJson } from '../json-shapes.ts';
import { NotFound, sendPage } from '../negotiate.ts';
import type { RouteContext } from '../route-context.ts';
import { links } from '../views/links.ts';

export function jobsetRoutes(router: Router, { db, render }: RouteContext): void {
  router.get('/jobset/:project/:jobset', (req, res) => {
    const jobset = getJobset(db, req.params.project, req.params.jobset);
    if (!jobset) throw new NotFound(`jobset ${req.params.project}:${req.params.jobset}`);
    const inputs = jobsetInputs(db, jobset.id);
    const evals = listEvals(db, jobset.id, 20);
    sendPage(req, res, render, {
      template: 'jobset',
      view: {
        title: `${jobset.project}:${jobset.name}`,
        jobset: { ...jobset, projectUrl: links.project(jobset.project), url: links.jobset(jobset.project, jobset.name) },
        inputs,
        evals: evals.map((e) => ({ ...e, url: links.eval(e.id), ...evalSummary(db, e.id) })),
      },
      json: () => jobsetJson(jobset, inputs),
    });
  });
}
