import { stmt, type Db } from './database.ts';

export interface JobsetShare {
  jobsetId: number;
  shares: number;
  /** Seconds of build steps (finished in the window, or running) charged to the jobset. */
  usedSeconds: number;
}

/**
 * Build time each jobset used since `since`, with its scheduling shares: Hydra's fair share
 * serves the jobset with the least time per share first. Running steps count up to `at`.
 * Steps are found by when they stopped (build_steps_by_stoptime), so the cost follows the
 * steps of the window, not the jobsets' whole history.
 */
export function jobsetShareUsage(db: Db, since: number, at: number): Map<number, JobsetShare> {
  const rows = stmt<JobsetShare>(
    db,
    `SELECT j.id AS jobsetId, j.schedulingshares AS shares, coalesce(u.used, 0) AS usedSeconds
       FROM jobsets j
       LEFT JOIN (SELECT b.jobset_id, sum(min(coalesce(s.stoptime, @at), @at) - max(s.starttime, @since)) AS used
                    FROM (SELECT build_id, starttime, stoptime FROM build_steps
                           WHERE stoptime >= @since AND propagatedfrom IS NULL
                          UNION ALL
                          SELECT build_id, starttime, stoptime FROM build_steps
                           WHERE stoptime IS NULL AND propagatedfrom IS NULL) s
                    JOIN builds b ON b.id = s.build_id
                   WHERE s.starttime IS NOT NULL
                   GROUP BY b.jobset_id) u ON u.jobset_id = j.id`,
  ).all({ since, at });
  return new Map(rows.map((r) => [r.jobsetId, r]));
}
