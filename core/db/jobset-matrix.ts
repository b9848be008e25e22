import { stmt, type Db } from './database.ts';

/** One page of a jobset's job names, in name order (index builds_by_job). */
export function jobNamesPage(db: Db, jobsetId: number, limit: number, offset: number): string[] {
  return stmt<{ job: string }>(db, 'SELECT DISTINCT job FROM builds WHERE jobset_id = ? ORDER BY job LIMIT ? OFFSET ?')
    .all(jobsetId, limit, offset)
    .map((r) => r.job);
}

export function countJobNames(db: Db, jobsetId: number): number {
  return stmt<{ n: number }>(db, 'SELECT count(DISTINCT job) AS n FROM builds WHERE jobset_id = ?').get(jobsetId)!.n;
}

export interface MatrixCell {
  job: string;
  eval_id: number;
  id: number;
  finished: number;
  buildstatus: number | null;
}

/** The builds of the given jobs in the given evaluations: the cells of the jobs × evaluations matrix. */
export function matrixCells(
  db: Db,
  jobsetId: number,
  jobs: readonly string[],
  evalIds: readonly number[],
): MatrixCell[] {
  if (jobs.length === 0 || evalIds.length === 0) return [];
  return stmt<MatrixCell>(
    db,
    `SELECT b.job, m.eval_id, b.id, b.finished, b.buildstatus FROM builds b
                   JOIN jobset_eval_members m ON m.build_id = b.id
    WHERE b.jobset_id = ? AND b.job IN (SELECT value FROM json_each(?))
      AND m.eval_id IN (SELECT value FROM json_each(?))`,
  ).all(jobsetId, JSON.stringify(jobs), JSON.stringify(evalIds));
}
