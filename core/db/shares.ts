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
 */
export function jobsetShareUsage(db: Db, since: number, at: number): Map<number, JobsetShare> {
  const rows = stmt<JobsetShare>(
    db,
    `SELECT j.id AS jobsetId, j.schedulingshares AS shares,
                           coalesce((SELECT sum(min(coalesce(s.stoptime, @at), @at) - max(s.starttime, @since))
                                     FROM build_steps s JOIN builds b ON b.id = s.build_id
                                     WHERE b.jobset_id = j.id AND s.propagatedfrom IS NULL AND s.starttime IS NOT NULL
                                       AND coalesce(s.stoptime, @at) >= @since), 0) AS usedSeconds
                         FROM jobsets j`,
  ).all({ since, at });
  return new Map(rows.map((r) => [r.jobsetId, r]));
}
