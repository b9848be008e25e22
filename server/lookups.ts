import type { Response } from 'express';
import { getBuild } from '../core/db/builds.ts';
import { getEval } from '../core/db/evals.ts';
import { getJobset, getJobsetById } from '../core/db/jobsets.ts';
import { hiddenProjects, type HiddenProjects } from '../core/db/visibility.ts';
import { getProject } from '../core/db/projects.ts';
import type { BuildWithJobset, EvalRow, JobsetRow, ProjectRow } from '../core/model/rows.ts';
import { viewerOf } from './auth/session.ts';
import { intParam, NotFound } from './negotiate.ts';
import type { RouteContext } from './route-context.ts';

/**
 * Loads what a URL names or answers 404. A private project the viewer may not read is
 * "not found" too, so its existence does not leak.
 */
export function requireProject(ctx: RouteContext, res: Response, name: unknown): ProjectRow {
  const project = getProject(ctx.db, String(name));
  if (!project || !readable(ctx, res, project.name)) throw new NotFound(`project ${String(name)}`);
  return project;
}

/**
 * The private projects the viewer may not read, for every query that lists across
 * projects (queue, steps, evaluations, search, counts, Hydra's /api lists, the binary
 * cache): pass it on, never list without it.
 */
export function hiddenFrom({ db, cache }: RouteContext, res: Response): HiddenProjects {
  // Once per request (a page may look up several things), and kept per viewer until the
  // database changes (a new member, a project made private), as every cached answer is.
  const known = res.locals['hiddenProjects'] as HiddenProjects | undefined;
  if (known) return known;
  const viewer = viewerOf(res);
  const key = `hidden:${JSON.stringify(viewer ? [viewer.username, viewer.roles] : null)}`;
  return (res.locals['hiddenProjects'] = cache.get(key, () => hiddenProjects(db, viewer)));
}

/** True when the viewer may read project `name` (a private project only for its owner, members and admins). */
export function readable(ctx: RouteContext, res: Response, name: string): boolean {
  return !hiddenFrom(ctx, res).names.has(name);
}

export function requireJobset(ctx: RouteContext, res: Response, project: unknown, name: unknown): JobsetRow {
  const jobset = getJobset(ctx.db, String(project), String(name));
  // Hidden is answered exactly as missing, message included: "project P" would tell that P:J exists.
  if (!jobset || !readable(ctx, res, jobset.project)) throw new NotFound(`jobset ${String(project)}:${String(name)}`);
  return jobset;
}

export function requireEval(ctx: RouteContext, res: Response, id: unknown): { evaluation: EvalRow; jobset: JobsetRow } {
  const evaluation = getEval(ctx.db, intParam(id, 'evaluation'));
  const jobset = evaluation && getJobsetById(ctx.db, evaluation.jobset_id);
  if (!evaluation || !jobset || !readable(ctx, res, jobset.project)) throw new NotFound(`evaluation ${String(id)}`);
  return { evaluation, jobset };
}

export function requireBuild(ctx: RouteContext, res: Response, id: unknown): BuildWithJobset {
  const build = getBuild(ctx.db, intParam(id, 'build'));
  if (!build || !readable(ctx, res, build.project)) throw new NotFound(`build ${String(id)}`);
  return build;
}
