import type { Router } from 'express';
import { runningBuildIds } from '../../core/db/builds.ts';
import { evalSummary, listEvals } from '../../core/db/evals.ts';
import { countJobNames, jobNamesPage, matrixCells } from '../../core/db/jobset-matrix.ts';
import { jobsetInputs } from '../../core/db/jobsets.ts';
import { may } from '../auth/permissions.ts';
import { viewerOf } from '../auth/session.ts';
import { jobsetJson } from '../json-shapes.ts';
import { requireJobset } from '../lookups.ts';
import { sendPage } from '../negotiate.ts';
import { pager, paging } from '../paging.ts';
import type { RouteContext } from '../route-context.ts';
import { links } from '../views/links.ts';
import { scheduleView } from '../views/schedule.ts';
import { statusMatrix } from '../views/status-matrix.ts';
import { subscriptionView } from '../views/subscription.ts';

const MATRIX_EVALS = 10;

export function jobsetRoutes(router: Router, ctx: RouteContext): void {
  const { db, render, cache } = ctx;
  router.get('/jobset/:project/:jobset', (req, res) => {
    const jobset = requireJobset(ctx, res, req.params.project, req.params.jobset);
    const inputs = jobsetInputs(db, jobset.id);
    sendPage(req, res, render, {
      template: 'jobset',
      view: () => {
        const p = paging(req, 50);
        // Everything here but the viewer's rights comes from the database alone, so it is
        // computed (and the 50 × 10 matrix rendered) once per database change.
        const shown = cache.get(`jobset-view:${jobset.id}:${p.rows}:${p.offset}`, () => {
          const evals = listEvals(db, jobset.id, MATRIX_EVALS);
          const jobs = jobNamesPage(db, jobset.id, p.rows, p.offset);
          const cells = matrixCells(
            db,
            jobset.id,
            jobs,
            evals.map((e) => e.id),
          );
          return {
            evals: evals.map((e) => ({
              ...e,
              url: links.eval(e.id),
              ...cache.get(`summary:${e.id}`, () => evalSummary(db, e.id)),
            })),
            matrix: render.fragment('status-matrix', {
              matrix: statusMatrix(jobset.project, jobset.name, jobs, evals, cells, runningBuildIds(db)),
            }),
            jobCount: countJobNames(db, jobset.id),
          };
        });
        const viewer = viewerOf(res);
        return {
          title: `${jobset.project}:${jobset.name}`,
          jobset: {
            ...jobset,
            projectUrl: links.project(jobset.project),
            url: links.jobset(jobset.project, jobset.name),
          },
          schedule: scheduleView(jobset.schedule),
          inputs,
          canTrigger: may(db, viewer, 'trigger', jobset.project),
          canEdit: !jobset.spec_source && may(db, viewer, 'edit-jobset', jobset.project),
          subscription: subscriptionView(db, viewer, jobset.project, jobset.name),
          evalsUrl: `${links.jobset(jobset.project, jobset.name)}/evals`,
          evals: shown.evals,
          matrix: shown.matrix,
          pager: pager(req, p, shown.jobCount),
        };
      },
      json: () => jobsetJson(jobset, inputs),
    });
  });
}
