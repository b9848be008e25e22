import { stmt, type Db } from './database.ts';
import type { BuildWithJobset } from '../model/rows.ts';
import { BuildStatus } from '../model/status.ts';

/**
 * Reads for /eval/N on evaluations of tens of thousands of jobs: every list is one page
 * of an index range (jobset_eval_members' primary key), never the whole evaluation.
 */

/** The groups /eval/N shows builds in, as SQL conditions on builds b. */
export const EVAL_GROUPS = {
  all: '1',
  failed: `b.finished = 1 AND b.buildstatus != ${BuildStatus.Success}`,
  succeeded: `b.finished = 1 AND b.buildstatus = ${BuildStatus.Success}`,
  queued: 'b.finished = 0',
} as const;
export type EvalGroup = keyof typeof EVAL_GROUPS;

export function evalBuildsPage(
  db: Db,
  evalId: number,
  group: EvalGroup,
  limit: number,
  offset: number,
): BuildWithJobset[] {
  return stmt<BuildWithJobset>(
    db,
    `SELECT b.*, j.project AS project, j.name AS jobset FROM jobset_eval_members m
                   JOIN builds b ON b.id = m.build_id JOIN jobsets j ON j.id = b.jobset_id
                   WHERE m.eval_id = ? AND ${EVAL_GROUPS[group]} ORDER BY m.build_id LIMIT ? OFFSET ?`,
  ).all(evalId, limit, offset);
}

export interface JobState {
  job: string;
  buildId: number;
  finished: number;
  buildstatus: number | null;
}

/** Every job of an evaluation with its build's state: the input of the diff between two evaluations. */
export function evalJobStates(db: Db, evalId: number): JobState[] {
  return stmt<JobState>(
    db,
    `SELECT b.job AS job, b.id AS buildId, b.finished AS finished, b.buildstatus AS buildstatus
                   FROM jobset_eval_members m JOIN builds b ON b.id = m.build_id WHERE m.eval_id = ?`,
  ).all(evalId);
}

/** Build ids of an evaluation in id order, for streaming /eval/N/builds in chunks. */
export function evalBuildIdsAfter(db: Db, evalId: number, afterId: number, limit: number): number[] {
  return stmt<{ build_id: number }>(
    db,
    'SELECT build_id FROM jobset_eval_members WHERE eval_id = ? AND build_id > ? ORDER BY build_id LIMIT ?',
  )
    .all(evalId, afterId, limit)
    .map((r) => r.build_id);
}
