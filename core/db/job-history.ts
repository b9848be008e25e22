import { stmt, type Db } from './database.ts';
import { BuildStatus } from '../model/status.ts';

export function countJobBuilds(db: Db, jobsetId: number, job: string): number {
  return stmt<{ n: number }>(db, 'SELECT count(*) AS n FROM builds WHERE jobset_id = ? AND job = ?').get(jobsetId, job)!
    .n;
}

/** Durations of a job's last finished, successful builds, oldest first, for the build-time chart. */
export function jobDurations(
  db: Db,
  jobsetId: number,
  job: string,
  limit: number,
): { id: number; stoptime: number; duration: number }[] {
  const rows = stmt<{ id: number; stoptime: number; duration: number }>(
    db,
    `SELECT id, stoptime, stoptime - starttime AS duration FROM builds
    WHERE jobset_id = ? AND job = ? AND finished = 1 AND buildstatus = ${BuildStatus.Success} AND starttime IS NOT NULL
      AND stoptime IS NOT NULL
                         ORDER BY id DESC LIMIT ?`,
  ).all(jobsetId, job, limit);
  return rows.reverse();
}

/** The newest finished build of a job, whatever its status: what a badge shows. */
export function latestFinishedBuildStatus(
  db: Db,
  jobsetId: number,
  job: string,
): { id: number; buildstatus: number } | undefined {
  return stmt<{ id: number; buildstatus: number }>(
    db,
    `SELECT id, buildstatus FROM builds WHERE jobset_id = ? AND job = ? AND finished = 1 AND buildstatus IS NOT NULL
                   ORDER BY id DESC LIMIT 1`,
  ).get(jobsetId, job);
}
