import type { Request, Response, Router } from 'express';
import { getJobset, jobsetInputs } from '../../core/db/jobsets.ts';
import { actionDone, requirePermission } from '../action-response.ts';
import { viewerOf } from '../auth/session.ts';
import type { Body } from '../edit-fields.ts';
import { pathRulesOf } from '../../core/jobset-specs/path-rules.ts';
import { editJobset, removeJobset } from '../edits/edit-jobset.ts';
import { BadRequest, Forbidden } from '../negotiate.ts';
import { requireJobset, requireProject } from '../lookups.ts';
import type { RouteContext } from '../route-context.ts';
import { links } from '../views/links.ts';

/** Inputs in a form are one per line, "NAME TYPE VALUE…", as they read in Hydra's jobset page. */
function parseInputs(text: string): Record<string, { type: string; value: string }> {
  const inputs: Record<string, { type: string; value: string }> = {};
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    if (!line.trim()) continue;
    const m = /^\s*(\S+)\s+(\S+)\s*(.*)$/.exec(line);
    if (!m) throw new BadRequest(`inputs, line ${i + 1}: write NAME TYPE VALUE`);
    inputs[m[1]!] = { type: m[2]!, value: m[3]!.trim() };
  }
  return inputs;
}

/** The HTML forms for creating, editing and deleting a jobset (the same rules as PUT/DELETE). */
export function jobsetFormRoutes(router: Router, ctx: RouteContext): void {
  const { db, render, config } = ctx;
  const form = (
    res: Response,
    project: string,
    values: Record<string, unknown>,
    opts: { create: boolean; error?: string },
  ) => {
    res
      .status(opts.error ? 400 : 200)
      .type('html')
      .send(
        render('jobset-form', {
          title: opts.create ? `Create a jobset in ${project}` : `Edit jobset ${project}:${String(values.name)}`,
          create: opts.create,
          project,
          projectUrl: links.project(project),
          values,
          error: opts.error ?? null,
          viewer: viewerOf(res),
          action: opts.create
            ? `${links.project(project)}/create-jobset`
            : `${links.jobset(project, String(values.name))}/edit`,
        }),
      );
  };
  const submit = (req: Request, res: Response, project: string, name: string, create: boolean) => {
    const raw = (req.body ?? {}) as Body;
    const values = { ...raw, name, enabled: raw.enabled !== undefined, visible: raw.visible !== undefined };
    try {
      if (create && getJobset(db, project, name)) throw new BadRequest(`jobset ${project}:${name} already exists`);
      editJobset(
        db,
        res,
        project,
        name,
        { ...values, enabled: values.enabled ? 1 : 0, inputs: parseInputs(String(raw.inputs ?? '')) },
        pathRulesOf(config),
      );
    } catch (e) {
      if (e instanceof BadRequest) return form(res, project, values, { create, error: e.message });
      throw e;
    }
    res.redirect(303, links.jobset(project, name));
  };

  router.get('/project/:project/create-jobset', (req, res) => {
    const p = requireProject(ctx, res, req.params.project);
    requirePermission(db, res, 'edit-jobset', p.name);
    form(
      res,
      p.name,
      {
        name: '',
        nixexprinput: 'src',
        nixexprpath: 'release.nix',
        checkinterval: 300,
        enabled: true,
        visible: true,
        inputs: 'src git ',
      },
      { create: true },
    );
  });
  router.post('/project/:project/create-jobset', (req, res) => {
    const p = requireProject(ctx, res, req.params.project);
    submit(req, res, p.name, String((req.body as Body | undefined)?.['name'] ?? ''), true);
  });
  router.get('/jobset/:project/:jobset/edit', (req, res) => {
    const j = requireJobset(ctx, res, req.params.project, req.params.jobset);
    requirePermission(db, res, 'edit-jobset', j.project);
    if (j.spec_source) throw new Forbidden(`jobset ${j.project}:${j.name} is declared in a spec file; change it there`);
    const inputs = jobsetInputs(db, j.id)
      .map((i) => `${i.name} ${i.type} ${i.value}`)
      .join('\n');
    form(res, j.project, { ...j, enabled: j.enabled !== 0, visible: j.hidden === 0, inputs }, { create: false });
  });
  router.post('/jobset/:project/:jobset/edit', (req, res) => {
    const j = requireJobset(ctx, res, req.params.project, req.params.jobset);
    submit(req, res, j.project, j.name, false);
  });
  router.post('/jobset/:project/:jobset/delete', (req, res) => {
    removeJobset(db, res, req.params.project, req.params.jobset);
    actionDone(req, res, links.project(req.params.project), { redirect: links.project(req.params.project) });
  });
}
