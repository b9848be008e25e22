import type { BuildWithJobset } from '../model/rows.ts';
import { stmt, type Db } from './database.ts';
import { notHidden, type HiddenProjects } from './visibility.ts';

/** The filters of Hydra's /api/latestbuilds and /api/nrbuilds; an empty value filters nothing. */
export interface BuildFilter {
  project: string;
  jobset: string;
  job: string;
  system: string;
}

const FROM = `FROM builds b JOIN jobsets j ON j.id = b.jobset_id JOIN projects p ON p.name = j.project`;
const MATCHES = `(@project = '' OR j.project = @project) AND (@jobset = '' OR j.name = @jobset)
  AND (@job = '' OR b.job = @job) AND (@system = '' OR b.system = @system) AND ${notHidden('p.name', '@hidden')}`;

/** The newest finished builds matching `filter`, newest first (Hydra's API.pm latestbuilds). */
export function latestFinishedBuilds(
  db: Db,
  hidden: HiddenProjects,
  filter: BuildFilter,
  nr: number,
): BuildWithJobset[] {
  return stmt<BuildWithJobset>(
    db,
    `SELECT b.*, j.project AS project, j.name AS jobset ${FROM}
                   WHERE b.finished = 1 AND ${MATCHES} ORDER BY b.id DESC LIMIT @nr`,
  ).all({ ...filter, hidden: hidden.json, nr });
}

/** Unfinished builds by priority, then age (Hydra's API.pm queue: `priority DESC, id`). */
export function queuedBuildsFor(db: Db, hidden: HiddenProjects, nr: number): BuildWithJobset[] {
  return stmt<BuildWithJobset>(
    db,
    `SELECT b.*, j.project AS project, j.name AS jobset ${FROM}
                   WHERE b.finished = 0 AND ${notHidden('p.name', '@hidden')} ORDER BY b.priority DESC, b.id LIMIT @nr`,
  ).all({ hidden: hidden.json, nr });
}

export function countQueuedFor(db: Db, hidden: HiddenProjects): number {
  return stmt<{ n: number }>(db, `SELECT count(*) AS n ${FROM} WHERE b.finished = 0 AND ${notHidden('p.name')}`).get(
    hidden.json,
  )!.n;
}

/**
 * Finished builds per period (`seconds` long, by creation time), for the `nr` most recent
 * periods that have any, oldest first (Hydra's API.pm nrbuilds groups by
 * `timestamp - timestamp % base`, takes the newest `nr` groups and reverses them).
 */
export function finishedBuildsPerPeriod(
  db: Db,
  hidden: HiddenProjects,
  filter: BuildFilter,
  seconds: number,
  nr: number,
): number[] {
  const rows = stmt<{ n: number }>(
    db,
    `SELECT count(*) AS n ${FROM} WHERE b.finished = 1 AND ${MATCHES}
                         GROUP BY b.timestamp - b.timestamp % @seconds
                           ORDER BY b.timestamp - b.timestamp % @seconds DESC LIMIT @nr`,
  ).all({ ...filter, hidden: hidden.json, seconds, nr });
  return rows.map((r) => r.n).reverse();
}
