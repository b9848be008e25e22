import { stmt, type Db } from './database.ts';
import type { BuildWithJobset, JobsetRow, ProjectRow } from '../model/rows.ts';
import { notHidden, type HiddenProjects } from './visibility.ts';

export interface SearchResult {
  projects: ProjectRow[];
  jobsets: JobsetRow[];
  /**
   * Builds of the current evaluations whose job name contains the query: the page's "jobs" (Hydra
   * sends none in JSON).
   */
  jobs: BuildWithJobset[];
  builds: BuildWithJobset[];
  buildsdrv: BuildWithJobset[];
}

/**
 * Hydra's /search (Controller/Root.pm search): every match is a case-insensitive substring
 * (ilike '%q%'; SQLite's LIKE is case-insensitive for ASCII, and the query is limited to
 * [A-Za-z0-9_-/.] before it gets here): projects by name, display name or description,
 * jobsets by name or description, jobs of the jobsets' current evaluations (up to limit + 1,
 * so a page can say there are more), builds by output path and by derivation path, newest
 * first. Hidden and private projects and hidden jobsets are left out.
 */
export function searchAll(db: Db, hidden: HiddenProjects, query: string, limit: number): SearchResult {
  const like = '%' + query.replace(/[\\%_]/g, (c) => '\\' + c) + '%';
  const projects = stmt<ProjectRow>(
    db,
    `SELECT * FROM projects WHERE hidden = 0 AND ${notHidden('name')}
       AND (name LIKE ? ESCAPE '\\' OR displayname LIKE ? ESCAPE '\\' OR description LIKE ? ESCAPE '\\')
     ORDER BY name`,
  ).all(hidden.json, like, like, like);
  const jobsets = stmt<JobsetRow>(
    db,
    `SELECT j.* FROM jobsets j JOIN projects p ON p.name = j.project
                            WHERE j.hidden = 0 AND p.hidden = 0 AND ${notHidden('p.name')}
                            AND (j.name LIKE ? ESCAPE '\\' OR j.description LIKE ? ESCAPE '\\')
                            ORDER BY j.project, j.name`,
  ).all(hidden.json, like, like);
  const jobs = stmt<BuildWithJobset>(
    db,
    `SELECT b.*, j.project AS project, j.name AS jobset FROM jobsets j JOIN projects p ON p.name = j.project
                         JOIN jobset_eval_members m
                           ON m.eval_id = (SELECT max(id) FROM jobset_evals e WHERE e.jobset_id = j.id)
                         JOIN builds b ON b.id = m.build_id
                         WHERE j.hidden = 0 AND p.hidden = 0 AND ${notHidden('p.name')} AND b.job LIKE ? ESCAPE '\\'
                         ORDER BY j.project, j.name, b.job LIMIT ?`,
  ).all(hidden.json, like, limit + 1);
  const visible = `JOIN jobsets j ON j.id = b.jobset_id JOIN projects p ON p.name = j.project
    WHERE ${notHidden('p.name')}`;
  const builds = stmt<BuildWithJobset>(
    db,
    `SELECT b.*, j.project AS project, j.name AS jobset FROM builds b ${visible}
                           AND b.id IN (SELECT build_id FROM build_outputs WHERE path LIKE ? ESCAPE '\\')
                             ORDER BY b.id DESC LIMIT ?`,
  ).all(hidden.json, like, limit);
  const buildsdrv = stmt<BuildWithJobset>(
    db,
    `SELECT b.*, j.project AS project, j.name AS jobset FROM builds b ${visible}
                              AND b.drvpath LIKE ? ESCAPE '\\' ORDER BY b.id DESC LIMIT ?`,
  ).all(hidden.json, like, limit);
  return { projects, jobsets, jobs, builds, buildsdrv };
}
