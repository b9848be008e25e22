import type { Router } from 'express';
import { jsonObject } from '../edit-fields.ts';
import { pathRulesOf } from '../../core/jobset-specs/path-rules.ts';
import { editJobset, removeJobset } from '../edits/edit-jobset.ts';
import type { RouteContext } from '../route-context.ts';
import { links } from '../views/links.ts';

/** Hydra's PUT /jobset/P/J (create or update, JSON) and DELETE /jobset/P/J. */
export function jobsetEditRoutes(router: Router, { db, config }: RouteContext): void {
  router.put('/jobset/:project/:jobset', (req, res) => {
    const { project, jobset: name } = req.params;
    const { created } = editJobset(db, res, project, name, jsonObject(req.body), pathRulesOf(config));
    const uri = links.jobset(project, name);
    res.status(created ? 201 : 200).json(created ? { uri, name, redirect: uri, type: 'jobset' } : { redirect: uri });
  });

  router.delete('/jobset/:project/:jobset', (req, res) => {
    const { project, jobset: name } = req.params;
    removeJobset(db, res, project, name);
    res.json({ redirect: links.project(project) });
  });
}
