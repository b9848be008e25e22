import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Db = Database.Database;
export type Statement = Database.Statement;

/**
 * Opens the database the way every role must: WAL so readers never block the writer,
 * a busy timeout so two processes sharing the file wait instead of failing, and foreign
 * keys on (SQLite leaves them off by default).
 */
export function openDatabase(path: string, options: { readonly?: boolean } = {}): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { readonly: options.readonly ?? false });
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 10000');
  db.pragma('foreign_keys = ON');
  // NORMAL is durable in WAL mode except for the last transactions on power loss.
  db.pragma('synchronous = NORMAL');
  return db;
}

const statementCache = new WeakMap<Db, Map<string, Statement>>();

/**
 * A prepared statement, prepared once per connection. Row names the shape of what the
 * statement returns; `npm run lint` (scripts/check-sql.ts) prepares every statement of
 * core/db against the schema and fails when Row names a column the statement does not
 * return or gives it a type its table column cannot hold.
 */
export function stmt<Row = never>(db: Db, sql: string): Database.Statement<unknown[], Row> {
  let cache = statementCache.get(db);
  if (!cache) statementCache.set(db, (cache = new Map()));
  let prepared = cache.get(sql);
  if (!prepared) cache.set(sql, (prepared = db.prepare(sql)));
  return prepared as Database.Statement<unknown[], Row>;
}

/** Thrown by writeTransaction when a transaction is already open on the connection. */
export class NestedTransactionError extends Error {
  constructor() {
    super('writeTransaction called inside a transaction: nested transactions are not allowed (DESIGN.md, style 4)');
    this.name = 'NestedTransactionError';
  }
}

/**
 * Runs fn in a write transaction that takes the write lock up front (BEGIN IMMEDIATE),
 * so two processes never deadlock upgrading read locks. It refuses to nest: better-sqlite3
 * would silently turn the inner one into a savepoint, so a caller that believes its writes
 * are committed when it returns would be wrong, and the outer one's lock would be held
 * across whatever the inner caller awaits next.
 */
export function writeTransaction<T>(db: Db, fn: () => T): T {
  if (db.inTransaction) throw new NestedTransactionError();
  return db.transaction(fn).immediate();
}

export function now(): number {
  return Math.floor(Date.now() / 1000);
}
