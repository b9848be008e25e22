import { now, stmt, writeTransaction, type Db } from './database.ts';
import { insertDeliveries, type NewDelivery } from './notifications.ts';

export interface JobsetErrorState {
  jobset_id: number;
  project: string;
  jobset: string;
  errormsg: string | null;
  fetcherrormsg: string | null;
  /** "JOB: message" lines of the jobs of the newest evaluation that failed to evaluate (at most 50). */
  joberrors: string | null;
  notice: string | null;
}

/** Each jobset's current evaluation errors next to the ones last announced. */
export function jobsetErrorStates(db: Db): JobsetErrorState[] {
  return stmt<JobsetErrorState>(
    db,
    `SELECT j.id AS jobset_id, j.project, j.name AS jobset, j.errormsg, j.fetcherrormsg, n.message AS notice,
                          (SELECT group_concat(job || ': ' || message, char(10)) FROM (
                             SELECT e.job, substr(e.message, 1, 2000) AS message FROM eval_errors e
                             WHERE e.eval_id = (SELECT max(v.id) FROM jobset_evals v WHERE v.jobset_id = j.id)
                               ORDER BY e.job LIMIT 50)) AS joberrors
                   FROM jobsets j LEFT JOIN eval_error_notices n ON n.jobset_id = j.id
                   WHERE j.errormsg IS NOT NULL OR j.fetcherrormsg IS NOT NULL OR n.message IS NOT NULL
                      OR EXISTS (SELECT 1 FROM eval_errors e
                                 WHERE e.eval_id = (SELECT max(v.id) FROM jobset_evals v WHERE v.jobset_id = j.id))`,
  ).all();
}

/** Records the error now announced (null: the jobset evaluates again) with its deliveries, at once. */
export function recordEvalErrorNotice(
  db: Db,
  jobsetId: number,
  message: string | null,
  deliveries: readonly NewDelivery[],
): void {
  writeTransaction(db, () => {
    if (message === null) stmt(db, 'DELETE FROM eval_error_notices WHERE jobset_id = ?').run(jobsetId);
    else
      stmt(db, 'INSERT OR REPLACE INTO eval_error_notices (jobset_id, message, notified) VALUES (?, ?, ?)').run(
        jobsetId,
        message,
        now(),
      );
    insertDeliveries(db, deliveries);
  });
}
