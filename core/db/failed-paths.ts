import { stmt, type Db } from './database.ts';

/** Outputs of derivations that failed permanently: building them again ends at once as cached failure (8). */
export function isFailedPath(db: Db, path: string): boolean {
  return stmt(db, 'SELECT 1 FROM failed_paths WHERE path = ?').get(path) !== undefined;
}

export function addFailedPaths(db: Db, paths: readonly string[]): void {
  for (const p of paths) stmt(db, 'INSERT OR IGNORE INTO failed_paths (path) VALUES (?)').run(p);
}

export function clearFailedPaths(db: Db, paths: readonly string[]): number {
  let n = 0;
  for (const p of paths) n += stmt(db, 'DELETE FROM failed_paths WHERE path = ?').run(p).changes;
  return n;
}
