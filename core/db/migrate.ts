import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../paths.ts';
import { stmt, type Db } from './database.ts';

export const MIGRATIONS_DIR = join(PACKAGE_ROOT, 'core', 'db', 'migrations');

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Migrations are files NNNN_name.sql; the number is the schema version they lead to. */
export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((file, index) => {
      const version = Number(file.slice(0, 4));
      if (version !== index + 1)
        throw new Error(`migration ${file}: expected number ${index + 1}; migrations are numbered without gaps`);
      return { version, name: file, sql: readFileSync(join(dir, file), 'utf8') };
    });
}

/**
 * Applies the migrations the database has not seen, each in its own transaction, and
 * records the version in PRAGMA user_version. Forward only: a database newer than this
 * code is refused rather than guessed at.
 */
export function migrate(db: Db, migrations: Migration[] = loadMigrations()): { from: number; to: number } {
  const from = stmt<{ user_version: number }>(db, 'PRAGMA user_version').get()!.user_version;
  const latest = migrations.length;
  if (from > latest) {
    throw new Error(`database schema version ${from} is newer than this hydrant (${latest}); upgrade hydrant`);
  }
  for (const m of migrations.slice(from)) {
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  return { from, to: latest };
}

/** The schema as SQLite reports it, normalised, for comparing against core/db/schema.sql. */
export function dumpSchema(db: Db): string {
  const rows = stmt<{ sql: string }>(
    db,
    `SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'
                                         ORDER BY type DESC, name`,
  ).all();
  return (
    rows
      .map(
        (r) =>
          r.sql
            .replace(/--[^\n]*/g, '')
            .replace(/\s+/g, ' ')
            .trim() + ';',
      )
      .join('\n') + '\n'
  );
}
