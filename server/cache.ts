import type { Db } from '../core/db/database.ts';

/**
 * Memoises expensive reads (an evaluation's status counts over 20,000 builds, the diff of
 * two evaluations) until the database changes. SQLite's data_version changes when another
 * connection commits (the evaluator, the queue runner, another process); total_changes()
 * counts this connection's own writes. Checking both costs one tiny statement per request
 * instead of re-reading tens of thousands of rows, and never serves a stale answer.
 */
export interface ReadCache {
  get<T>(key: string, compute: () => T): T;
}

export function createReadCache(db: Db, maxEntries = 500): ReadCache {
  const probe = db.prepare('SELECT total_changes() AS t');
  const entries = new Map<string, unknown>();
  let version = '';
  const currentVersion = () => `${db.pragma('data_version', { simple: true })}:${(probe.get() as { t: number }).t}`;
  return {
    get<T>(key: string, compute: () => T): T {
      const v = currentVersion();
      if (v !== version) {
        entries.clear();
        version = v;
      }
      if (entries.has(key)) return entries.get(key) as T;
      const value = compute();
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
      entries.set(key, value);
      return value;
    },
  };
}
