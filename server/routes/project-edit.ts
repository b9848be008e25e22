import type { Router } from 'express';
import { jsonObject } from '../edit-fields.ts';
import { editProject, removeProject } from '../edits/edit-project.ts';
import type { RouteContext } from '../route-context.ts';
import { links } from '../views/links.ts';

/** Hydra's PUT /project/P (create or update) and DELETE /project/P, as JSON. */
export function projectEditRoutes(router: Router, { db }: RouteContext): void {
  router.put('/project/:project', (req, res) => {
    const name = req.params.project;
    const { created } = editProject(db, res, name, jsonObject(req.body));
    const uri = links.project(name);
    res.status(created ? 201 : 200).json(created ? { uri, name, redirect: uri, type: 'project' } : { redirect: uri });
  });

  router.delete('/project/:project', (req, res) => {
    removeProject(db, res, req.params.project);
    res.json({ redirect: '/' });
  });
}
