import { stmt, type Db } from './database.ts';
import type { ProjectRow } from '../model/rows.ts';
import type { ProjectSpec } from '../jobset-specs/types.ts';

/** A project's own fields as a spec declares them, plus where they came from. */
export type ProjectFields = Pick<
  ProjectSpec,
  'name' | 'displayname' | 'description' | 'homepage' | 'enabled' | 'hidden' | 'owner'
> & {
  spec_source: string;
  /** Visible to the owner, members and admins only (default: public). */
  private?: boolean;
  /** Hydra's declarative project (file, input type, input value), or null. */
  declarative?: { file: string; type: string; value: string } | null;
};

export function upsertProject(db: Db, p: ProjectFields): void {
  stmt(
    db,
    `INSERT INTO projects (name, displayname, description, homepage, enabled, hidden, private, owner, declfile,
      decltype, declvalue, spec_source, spec_error)
            VALUES (@name, @displayname, @description, @homepage, @enabled, @hidden, @private, @owner, @declfile,
              @decltype, @declvalue, @spec_source, NULL)
            ON CONFLICT (name) DO UPDATE SET displayname = excluded.displayname, description = excluded.description,
              homepage = excluded.homepage, enabled = excluded.enabled, hidden = excluded.hidden,
                private = excluded.private, owner = excluded.owner,
              declfile = excluded.declfile, decltype = excluded.decltype, declvalue = excluded.declvalue,
              spec_source = excluded.spec_source, spec_error = NULL`,
  ).run({
    name: p.name,
    displayname: p.displayname,
    description: p.description,
    homepage: p.homepage,
    owner: p.owner,
    enabled: p.enabled ? 1 : 0,
    hidden: p.hidden ? 1 : 0,
    private: p.private ? 1 : 0,
    spec_source: p.spec_source,
    declfile: p.declarative?.file ?? null,
    decltype: p.declarative?.type ?? null,
    declvalue: p.declarative?.value ?? null,
  });
}

/** Records that a project's spec file could not be read; creates the project so the error has a page. */
export function setProjectSpecError(db: Db, name: string, specSource: string, error: string): void {
  stmt(
    db,
    `INSERT INTO projects (name, displayname, spec_source, spec_error) VALUES (?, ?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET spec_error = excluded.spec_error`,
  ).run(name, name, specSource, error);
}

export function getProject(db: Db, name: string): ProjectRow | undefined {
  return stmt<ProjectRow>(db, 'SELECT * FROM projects WHERE name = ?').get(name);
}

export function listProjects(db: Db): ProjectRow[] {
  return stmt<ProjectRow>(db, 'SELECT * FROM projects ORDER BY name').all();
}

/** Projects declared by spec files that no longer exist: hidden and disabled, never deleted. */
export function retireProjectsNotIn(db: Db, specDirPrefix: string, keep: readonly string[]): void {
  const rows = stmt<{ name: string }>(db, `SELECT name FROM projects WHERE spec_source LIKE ? || '%'`).all(
    specDirPrefix,
  );
  for (const { name } of rows) {
    if (!keep.includes(name)) {
      stmt(db, 'UPDATE projects SET enabled = 0, hidden = 1 WHERE name = ?').run(name);
      stmt(db, 'UPDATE jobsets SET enabled = 0, hidden = 1 WHERE project = ?').run(name);
    }
  }
}
