import { stmt, type Db } from './database.ts';
import type { BuildWithJobset, JobsetRow, ProjectRow } from '../model/rows.ts';

/**
 * Hydra's /search: projects and jobsets by name or description, the newest build of each job
 * whose name starts with the query (an index range per jobset), and builds by exact
 * derivation or output path. LIKE wildcards in the query are escaped.
 */
export function searchAll(db: Db, query: string, limit: number): { projects: ProjectRow[]; jobsets: JobsetRow[]; builds: BuildWithJobset[]; buildsdrv: BuildWithJobset[] } {
  const like = '%' + query.replace(/[\\%_]/g, (c) => '\\' + c) + '%';
  const projects = stmt<ProjectRow>(db, `SELECT * FROM projects WHERE hidden = 0 AND private = 0 AND (name LIKE ? ESCAPE '\\' OR displayname LIKE ? ESCAPE '\\' OR description LIKE ? ESCAPE '\\') ORDER BY name LIMIT ?`)
    .all(like, like, like, limit);
  const jobsets = stmt<JobsetRow>(db, `SELECT j.* FROM jobsets j JOIN projects p ON p.name = j.project WHERE j.hidden = 0 AND p.private = 0
                AND (j.name LIKE ? ESCAPE '\\' OR j.description LIKE ? ESCAPE '\\') ORDER BY j.project, j.name LIMIT ?`)
    .all(like, like, limit);
  // The newest build of every job whose name starts with the query: one index range per jobset.
  const builds = stmt<BuildWithJobset>(db, `SELECT b.*, j.project AS project, j.name AS jobset FROM builds b JOIN jobsets j ON j.id = b.jobset_id
                           WHERE b.id IN (SELECT max(x.id) FROM jobsets js JOIN projects p ON p.name = js.project
                                      JOIN builds x ON x.jobset_id = js.id AND x.job >= ? AND x.job < ? || char(1114111)
                                          WHERE p.private = 0 GROUP BY x.jobset_id, x.job)
                           ORDER BY j.project, j.name, b.job LIMIT ?`)
    .all(query, query, limit);
  const buildsdrv = stmt<BuildWithJobset>(db, `SELECT b.*, j.project AS project, j.name AS jobset FROM builds b JOIN jobsets j ON j.id = b.jobset_id
                              JOIN projects p ON p.name = j.project
    WHERE p.private = 0 AND (b.drvpath = ? OR b.id IN (SELECT build_id FROM build_outputs WHERE path = ?)) ORDER BY b.id DESC LIMIT ?`)
    .all(query, query, limit);
  return { projects, jobsets, builds, buildsdrv };
}
