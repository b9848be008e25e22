import type { Router } from 'express';
import { listJobsets } from '../../core/db/jobsets.ts';
import { listProjects } from '../../core/db/projects.ts';
import { mayCreateProject } from '../auth/permissions.ts';
import { readable } from '../lookups.ts';
import { viewerOf } from '../auth/session.ts';
import { projectJson } from '../json-shapes.ts';
import { sendPage } from '../negotiate.ts';
import type { RouteContext } from '../route-context.ts';
import { links } from '../views/links.ts';

export function homeRoutes(router: Router, ctx: RouteContext): void {
  const { db, render } = ctx;
  router.get('/', (req, res) => {
    const viewer = viewerOf(res);
    // The viewer's hidden projects are listed once (lookups.ts), not asked for each project.
    const projects = listProjects(db).filter((p) => (p.hidden === 0 || p.spec_error) && readable(ctx, res, p.name));
    sendPage(req, res, render, {
      template: 'home',
      view: {
        title: 'Projects',
        canCreate: mayCreateProject(viewer),
        projects: projects.map((p) => ({
          name: p.name,
          displayname: p.displayname,
          description: p.description,
          url: links.project(p.name),
          specError: p.spec_error,
          enabled: p.enabled === 1,
        })),
      },
      json: () =>
        projects.map((p) =>
          projectJson(
            p,
            listJobsets(db, p.name).map((j) => j.name),
          ),
        ),
    });
  });
}
