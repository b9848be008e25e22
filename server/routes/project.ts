import type { Router } from 'express';
import { evalSummary, listEvals } from '../../core/db/evals.ts';
import { listJobsets } from '../../core/db/jobsets.ts';
import { may } from '../auth/permissions.ts';
import { viewerOf } from '../auth/session.ts';
import { projectJson } from '../json-shapes.ts';
import { requireProject } from '../lookups.ts';
import { sendPage } from '../negotiate.ts';
import type { RouteContext } from '../route-context.ts';
import { links } from '../views/links.ts';
import { subscriptionView } from '../views/subscription.ts';

export function projectRoutes(router: Router, ctx: RouteContext): void {
  const { db, render, cache } = ctx;
  router.get('/project/:project', (req, res) => {
    const project = requireProject(ctx, res, req.params.project);
    const jobsets = listJobsets(db, project.name);
    sendPage(req, res, render, {
      template: 'project',
      view: {
        title: project.displayname,
        project: { ...project, url: links.project(project.name) },
        // A project or its jobsets declared in a spec file are changed there, not here.
        canEdit: !project.spec_source && may(db, viewerOf(res), 'edit-project', project.name),
        canAddJobset: !project.declfile && may(db, viewerOf(res), 'edit-jobset', project.name),
        subscription: subscriptionView(db, viewerOf(res), project.name),
        jobsets: jobsets
          .filter((j) => j.hidden === 0 || j.spec_error)
          .map((j) => {
            const last = listEvals(db, j.id, 1)[0];
            return {
              name: j.name,
              description: j.description,
              url: links.jobset(project.name, j.name),
              enabled: j.enabled,
              errormsg: j.errormsg,
              lastcheckedtime: j.lastcheckedtime,
              lastEval: last
                ? {
                    id: last.id,
                    url: links.eval(last.id),
                    timestamp: last.timestamp,
                    ...cache.get(`summary:${last.id}`, () => evalSummary(db, last.id)),
                  }
                : null,
            };
          }),
      },
      json: () =>
        projectJson(
          project,
          jobsets.map((j) => j.name),
        ),
    });
  });
}
