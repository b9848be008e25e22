import type { EvalRow } from '../model/rows.ts';
import { stmt, type Db } from './database.ts';
import { BuildStatus } from '../model/status.ts';
import { notHidden, type HiddenProjects } from './visibility.ts';

export type EvalWithJobset = EvalRow & { project: string; jobset: string };

const EVALS_FROM = `FROM jobset_evals e JOIN jobsets j ON j.id = e.jobset_id JOIN projects p ON p.name = j.project`;

/**
 * Hydra's /evals (Root.pm evals, Helper/Nix.pm getEvals): only evaluations that added
 * builds (hasnewbuilds = 1), newest first, in every project the viewer may read.
 */
export function evalsWithNewBuilds(db: Db, hidden: HiddenProjects, limit: number, offset: number): EvalWithJobset[] {
  return stmt<EvalWithJobset>(
    db,
    `SELECT e.*, j.project AS project, j.name AS jobset ${EVALS_FROM}
                   WHERE e.hasnewbuilds = 1 AND ${notHidden('p.name')} ORDER BY e.id DESC LIMIT ? OFFSET ?`,
  ).all(hidden.json, limit, offset);
}

export function countEvalsWithNewBuilds(db: Db, hidden: HiddenProjects): number {
  return stmt<{ n: number }>(
    db,
    `SELECT count(*) AS n ${EVALS_FROM} WHERE e.hasnewbuilds = 1 AND ${notHidden('p.name')}`,
  ).get(hidden.json)!.n;
}

/** The evaluation before `evalId` in its jobset that added builds: getEvals compares with that one. */
export function previousEvalWithNewBuilds(db: Db, jobsetId: number, evalId: number): number | undefined {
  return stmt<{ id: number }>(
    db,
    'SELECT id FROM jobset_evals WHERE jobset_id = ? AND hasnewbuilds = 1 AND id < ? ORDER BY id DESC LIMIT 1',
  ).get(jobsetId, evalId)?.id;
}

export interface FinishedStepRow {
  build_id: number;
  stepnr: number;
  drvpath: string | null;
  status: number | null;
  starttime: number;
  stoptime: number;
  machine: string;
  system: string | null;
  project: string;
  jobset: string;
  job: string;
}

/** Hydra's /steps (Root.pm steps): build steps that ran, the most recently ended first. */
export function finishedSteps(db: Db, hidden: HiddenProjects, limit: number, offset: number): FinishedStepRow[] {
  return stmt<FinishedStepRow>(
    db,
    `SELECT s.build_id, s.stepnr, s.drvpath, s.status, s.starttime, s.stoptime, s.machine, s.system,
                          j.project, j.name AS jobset, b.job
                   FROM build_steps s JOIN builds b ON b.id = s.build_id JOIN jobsets j ON j.id = b.jobset_id
                   JOIN projects p ON p.name = j.project
                   WHERE s.starttime IS NOT NULL AND s.stoptime IS NOT NULL AND ${notHidden('p.name')}
                   ORDER BY s.stoptime DESC LIMIT ? OFFSET ?`,
  ).all(hidden.json, limit, offset);
}

/**
 * Hydra's /eval/N/store-paths (JobsetEval.pm store_paths): the outputs of the evaluation's
 * successful builds that declare a `nix-build` product, sorted and without duplicates.
 */
export function evalNixBuildStorePaths(db: Db, evalId: number): string[] {
  return stmt<{ path: string }>(
    db,
    `SELECT DISTINCT o.path FROM jobset_eval_members m JOIN builds b ON b.id = m.build_id
                   JOIN build_outputs o ON o.build_id = b.id
                   WHERE m.eval_id = ? AND b.finished = 1 AND b.buildstatus = ${BuildStatus.Success}
                     AND EXISTS (SELECT 1 FROM build_products bp WHERE bp.build_id = b.id AND bp.type = 'nix-build')
                   ORDER BY o.path`,
  )
    .all(evalId)
    .map((r) => r.path);
}

/** A jobset's evaluations that added builds, newest first: what Hydra's Jobset.pm evals lists (getEvals). */
export function jobsetEvalsWithNewBuilds(db: Db, jobsetId: number, limit: number, offset: number): EvalRow[] {
  return stmt<EvalRow>(
    db,
    'SELECT * FROM jobset_evals WHERE jobset_id = ? AND hasnewbuilds = 1 ORDER BY id DESC LIMIT ? OFFSET ?',
  ).all(jobsetId, limit, offset);
}

export function countJobsetEvalsWithNewBuilds(db: Db, jobsetId: number): number {
  return stmt<{ n: number }>(db, 'SELECT count(*) AS n FROM jobset_evals WHERE jobset_id = ? AND hasnewbuilds = 1').get(
    jobsetId,
  )!.n;
}
