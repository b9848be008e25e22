import { stmt, type Db } from './database.ts';

export interface JobsetOverviewRow {
  id: number;
  name: string;
  project: string;
  checkinterval: number;
  errormsg: string | null;
  errortime: number | null;
  fetcherrormsg: string | null;
  starttime: number | null;
  lastcheckedtime: number | null;
  triggertime: number | null;
  enabled: number;
  hidden: number;
  last_eval: number | null;
}

/** A project's jobsets with their newest evaluation id, for /api/jobsets and the project page. */
export function jobsetOverview(db: Db, project: string): JobsetOverviewRow[] {
  return stmt<JobsetOverviewRow>(
    db,
    `SELECT j.id, j.name, j.project, j.checkinterval, j.errormsg, j.errortime, j.fetcherrormsg, j.starttime,
                          j.lastcheckedtime, j.triggertime, j.enabled, j.hidden,
                          (SELECT max(id) FROM jobset_evals e WHERE e.jobset_id = j.id) AS last_eval
                   FROM jobsets j WHERE j.project = ? ORDER BY j.name`,
  ).all(project);
}
