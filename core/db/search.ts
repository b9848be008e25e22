import { stmt, type Db } from './database.ts';
import type { BuildWithJobset, JobsetRow, ProjectRow } from '../model/rows.ts';

/**
 * Hydra's /search: projects and jobsets by name or description, builds by job name prefix
 * (index builds_by_job is per jobset, so a prefix search per jobset), and builds by exact
 * derivation or output path. LIKE wildcards in the query are escaped.
 */
export function searchAll(db: Db, query: string, limit: number): { projects: ProjectRow[]; jobsets: JobsetRow[]; builds: BuildWithJobset[]; buildsdrv: BuildWithJobset[] } {
  const like = '%' + query.replace(/[\\%_]/g, (c) => '\\' + c) + '%';
  const projects = stmt(db, `SELECT * FROM projects WHERE hidden = 0 AND private = 0 AND (name LIKE ? ESCAPE '\\' OR displayname LIKE ? ESCAPE '\\' OR description LIKE ? ESCAPE '\\') ORDER BY name LIMIT ?`)
    .all(like, like, like, limit) as ProjectRow[];
  const jobsets = stmt(db, `SELECT j.* FROM jobsets j JOIN projects p ON p.name = j.project WHERE j.hidden = 0 AND p.private = 0
                            AND (j.name LIKE ? ESCAPE '\\' OR j.description LIKE ? ESCAPE '\\') ORDER BY j.project, j.name LIMIT ?`)
    .all(like, like, limit) as JobsetRow[];
  const builds = stmt(db, `SELECT b.*, j.project AS project, j.name AS jobset FROM jobsets j JOIN projects p ON p.name = j.project
                           JOIN builds b ON b.id = (SELECT id FROM builds WHERE jobset_id = j.id AND job >= ? AND job < ? || char(1114111) ORDER BY job, id DESC LIMIT 1)
                           WHERE p.private = 0 LIMIT ?`)
    .all(query, query, limit) as BuildWithJobset[];
  const buildsdrv = stmt(db, `SELECT b.*, j.project AS project, j.name AS jobset FROM builds b JOIN jobsets j ON j.id = b.jobset_id
                              WHERE b.drvpath = ? OR b.id IN (SELECT build_id FROM build_outputs WHERE path = ?) ORDER BY b.id DESC LIMIT ?`)
    .all(query, query, limit) as BuildWithJobset[];
  return { projects, jobsets, builds, buildsdrv };
}
