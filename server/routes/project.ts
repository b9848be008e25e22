import type { Router } from 'express';
import { evalSummary, listEvals } from '../../core/db/evals.ts';
import { listJobsets } from '../../core/db/jobsets.ts';
import { getProject } from '../../core/db/projects.ts';
import { projectJson } from '../json-shapes.ts';
import { NotFound, sendPage } from '../negotiate.ts';
import type { RouteContext } from '../route-context.ts';
import { links } from '../views/links.ts';

export function projectRoutes(router: Router, { db, render }: RouteContext): void {
  router.get('/project/:project', (req, res) => {
    const project = getProject(db, req.params.project);
    if (!project) throw new NotFound(`project ${req.params.project}`);
    const jobsets = listJobsets(db, project.name);
    sendPage(req, res, render, {
      template: 'project',
      view: {
        title: project.displayname,
        project: { ...project, url: links.project(project.name) },
        jobsets: jobsets.filter((j) => j.hidden === 0 || j.spec_error).map((j) => {
          const last = listEvals(db, j.id, 1)[0];
          return {
            name: j.name, description: j.description, url: links.jobset(project.name, j.name),
            enabled: j.enabled, errormsg: j.errormsg, lastcheckedtime: j.lastcheckedtime,
            lastEval: last ? { id: last.id, url: links.eval(last.id), timestamp: last.timestamp, ...evalSummary(db, last.id) } : null,
          };
        }),
      },
      json: () => projectJson(project, jobsets.map((j) => j.name)),
    });
  });
}
