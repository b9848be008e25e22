import { stmt, type Db } from './database.ts';
import { notHidden, type HiddenProjects } from './visibility.ts';

export interface RunningStepRow {
  build_id: number;
  stepnr: number;
  drvpath: string | null;
  busy: number;
  starttime: number | null;
  machine: string;
  system: string | null;
  job: string;
  project: string;
  jobset: string;
}

/** Steps running now (build_steps.busy != 0, written by the queue runner), oldest first. */
export function runningSteps(db: Db, hidden: HiddenProjects): RunningStepRow[] {
  return stmt<RunningStepRow>(
    db,
    `SELECT s.build_id, s.stepnr, s.drvpath, s.busy, s.starttime, s.machine, s.system, b.job, j.project,
      j.name AS jobset
                   FROM build_steps s JOIN builds b ON b.id = s.build_id JOIN jobsets j ON j.id = b.jobset_id
                   WHERE s.busy != 0 AND ${notHidden('j.project')} ORDER BY s.starttime, s.build_id`,
  ).all(hidden.json);
}

type Counters = { queued: number; running: number; finished: number; evals: number; machines: number };

/**
 * Counts for /metrics: builds by state and steps running, each one index-backed aggregate.
 * With private projects hidden from the viewer, their builds and evaluations are not counted.
 */
export function serverCounters(db: Db, hidden: HiddenProjects): Counters {
  if (hidden.names.size === 0) {
    return stmt<Counters>(
      db,
      `SELECT (SELECT count(*) FROM builds WHERE finished = 0) AS queued,
                            (SELECT count(*) FROM build_steps WHERE busy != 0) AS running,
                            (SELECT count(*) FROM builds WHERE finished = 1) AS finished,
                            (SELECT count(*) FROM jobset_evals) AS evals,
                            (SELECT count(*) FROM machines) AS machines`,
    ).get()!;
  }
  const shown = `(SELECT id FROM jobsets WHERE ${notHidden('project')})`;
  return stmt<Counters>(
    db,
    `SELECT (SELECT count(*) FROM builds WHERE finished = 0 AND jobset_id IN ${shown}) AS queued,
                          (SELECT count(*) FROM build_steps s JOIN builds b ON b.id = s.build_id WHERE s.busy != 0
                            AND b.jobset_id IN ${shown}) AS running,
                          (SELECT count(*) FROM builds WHERE finished = 1 AND jobset_id IN ${shown}) AS finished,
                          (SELECT count(*) FROM jobset_evals WHERE jobset_id IN ${shown}) AS evals,
                          (SELECT count(*) FROM machines) AS machines`,
  ).get(hidden.json, hidden.json, hidden.json, hidden.json)!;
}
