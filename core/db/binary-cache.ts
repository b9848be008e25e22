import { stmt, type Db } from './database.ts';

/** Who asks, as far as visibility goes: an anonymous client is null. */
export interface CacheViewer {
  username: string;
  roles: readonly string[];
}

/**
 * Whether any of `paths` is an output of a successful build in a project the viewer may
 * read: public projects for everyone; private ones for admins, their owner and members
 * (the same rule as server/auth/permissions.ts mayRead, here in SQL so one query answers
 * for thousands of paths). The binary cache serves nothing else.
 */
export function anyVisibleSuccessfulOutput(db: Db, viewer: CacheViewer | null, paths: readonly string[]): boolean {
  const user = viewer?.username ?? null;
  const admin = viewer?.roles.includes('admin') ? 1 : 0;
  for (let i = 0; i < paths.length; i += 5000) {
    const found = stmt(db, `SELECT 1 FROM build_outputs o
      JOIN builds b ON b.id = o.build_id
      JOIN jobsets j ON j.id = b.jobset_id
      JOIN projects p ON p.name = j.project
      WHERE o.path IN (SELECT value FROM json_each(@paths))
        AND b.finished = 1 AND b.buildstatus = 0
        AND (p.private = 0 OR @admin = 1 OR p.owner = @user
             OR EXISTS (SELECT 1 FROM project_members m WHERE m.project = p.name AND m.username = @user))
      LIMIT 1`).get({ paths: JSON.stringify(paths.slice(i, i + 5000)), admin, user });
    if (found) return true;
  }
  return false;
}
