import { stmt, type Db } from './database.ts';

/** Who asks, as far as visibility goes: an anonymous client is null. */
interface ReadingViewer {
  username: string;
  roles: readonly string[];
}

/**
 * The private projects one viewer may not read: the one answer to "which projects may this
 * viewer see", for every query that lists or counts across projects and for every check of
 * one project. A query that takes a `HiddenProjects` filters with `notHidden(column)`; a
 * viewer who may read everything (or a site without private projects) gets `[]`, so answers
 * cached per `hidden.json` are shared by everyone who sees the same.
 */
export interface HiddenProjects {
  readonly json: string;
  readonly names: ReadonlySet<string>;
}

/**
 * Private projects are readable by admins, their owner and their members only; public ones
 * by everyone. `IS` keeps a private project without an owner hidden from a logged-in
 * outsider (`owner = @viewer` would be NULL there, and NOT NULL selects nothing).
 */
export function hiddenProjects(db: Db, viewer: ReadingViewer | null): HiddenProjects {
  if (viewer?.roles.includes('admin')) return { json: '[]', names: new Set() };
  const rows = stmt<{ name: string }>(
    db,
    `SELECT p.name FROM projects p WHERE p.private = 1 AND NOT (@viewer IS NOT NULL AND (p.owner IS @viewer
       OR EXISTS (SELECT 1 FROM project_members m WHERE m.project = p.name AND m.username = @viewer)))
     ORDER BY p.name`,
  ).all({ viewer: viewer?.username ?? null });
  const names = rows.map((r) => r.name);
  return { json: JSON.stringify(names), names: new Set(names) };
}

/**
 * The SQL condition "project column `column` is not hidden". It binds one parameter,
 * `hidden.json`, at `parameter`: `?`, or a name such as `@hidden` in a query whose other
 * parameters are named.
 */
export const notHidden = (column: string, parameter = '?'): string =>
  `${column} NOT IN (SELECT value FROM json_each(${parameter}))`;
