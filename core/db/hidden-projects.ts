import { stmt, type Db } from './database.ts';

/**
 * The private projects one viewer may not read, for every query that lists or counts
 * across projects. A query that takes a `HiddenProjects` filters with
 * `NOT IN (SELECT value FROM json_each(?))` on `hidden.json`; a viewer who may read
 * everything (or a site without private projects) passes `[]`, so answers cached per
 * `hidden.json` are shared by everyone who sees the same.
 */
export interface HiddenProjects {
  readonly json: string;
  readonly names: ReadonlySet<string>;
}

export interface ProjectReader {
  username: string;
  roles: readonly string[];
}

/** Private projects are readable by their owner, their members and admins only. */
export function hiddenProjects(db: Db, viewer: ProjectReader | null): HiddenProjects {
  const admin = viewer?.roles.includes('admin') ?? false;
  const user = viewer?.username ?? null;
  const rows = admin
    ? []
    : stmt<{ name: string }>(
        db,
        `SELECT name FROM projects WHERE private = 1
                                        AND NOT (? IS NOT NULL AND (owner = ? OR name IN (SELECT project FROM project_members WHERE username = ?)))
                                      ORDER BY name`,
      ).all(user, user, user);
  const names = rows.map((r) => r.name);
  return { json: JSON.stringify(names), names: new Set(names) };
}

/** The SQL condition "project column `column` is not hidden"; binds one parameter, `hidden.json`. */
export const notHidden = (column: string): string => `${column} NOT IN (SELECT value FROM json_each(?))`;
