import { BuildStatus } from '../model/status.ts';
import { stmt, type Db } from './database.ts';
import { notHidden, type HiddenProjects } from './visibility.ts';

/**
 * Whether any of `paths` is an output of a successful build in a project the viewer may
 * read (one query for thousands of paths). The binary cache serves nothing else.
 */
export function anyVisibleSuccessfulOutput(db: Db, hidden: HiddenProjects, paths: readonly string[]): boolean {
  for (let i = 0; i < paths.length; i += 5000) {
    const found = stmt(
      db,
      `SELECT 1 FROM build_outputs o
      JOIN builds b ON b.id = o.build_id
      JOIN jobsets j ON j.id = b.jobset_id
      JOIN projects p ON p.name = j.project
      WHERE o.path IN (SELECT value FROM json_each(@paths)) AND b.finished = 1
        AND b.buildstatus = ${BuildStatus.Success} AND ${notHidden('p.name', '@hidden')}
      LIMIT 1`,
    ).get({ paths: JSON.stringify(paths.slice(i, i + 5000)), hidden: hidden.json });
    if (found) return true;
  }
  return false;
}
