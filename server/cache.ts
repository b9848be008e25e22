import type { Db } from '../core/db/database.ts';

/**
 * Memoises expensive reads (an evaluation's status counts over 20,000 builds, the diff of
 * two evaluations, a big JSON answer) until the database changes. SQLite's data_version
 * changes when another connection commits (the evaluator, the queue runner, another
 * process); total_changes() counts this connection's own writes. Checking both costs one
 * tiny statement per request instead of re-reading tens of thousands of rows, and never
 * serves a stale answer. Each server creates its own caches.
 */
export interface ReadCache {
  get<T>(key: string, compute: () => T): T;
  /** The database's version now, to pass to store() after an asynchronous computation. */
  version(): string;
  lookup<T>(key: string): T | undefined;
  /** Keeps a value computed from the database as it was at `version`, unless it changed meanwhile. */
  store(key: string, value: unknown, version: string): void;
}

export function createReadCache(db: Db, maxEntries = 500): ReadCache {
  // Prepared once: db.pragma() would prepare a statement on every request.
  const dataVersion = db.prepare('PRAGMA data_version').pluck();
  const probe = db.prepare('SELECT total_changes()').pluck();
  const entries = new Map<string, unknown>();
  let seen = '';
  const current = () => {
    const v = `${dataVersion.get() as number}:${probe.get() as number}`;
    if (v !== seen) {
      entries.clear();
      seen = v;
    }
    return v;
  };
  const put = (key: string, value: unknown) => {
    if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
    entries.set(key, value);
  };
  return {
    get<T>(key: string, compute: () => T): T {
      current();
      if (entries.has(key)) return entries.get(key) as T;
      const value = compute();
      put(key, value);
      return value;
    },
    version: current,
    lookup<T>(key: string): T | undefined {
      current();
      return entries.get(key) as T | undefined;
    },
    store(key, value, version) {
      if (current() === version) put(key, value);
    },
  };
}
