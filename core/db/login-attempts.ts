import { stmt, writeTransaction, type Db } from './database.ts';

export interface LoginLimits {
  maxPerUser: number;
  maxPerAddress: number;
  windowMs: number;
}

const userKey = (user: string) => `user\0${user}`;
const addressKey = (address: string) => `address\0${address}`;

function countIn(db: Db, key: string, since: number): number {
  return (
    stmt<{ count: number }>(db, 'SELECT count FROM login_attempts WHERE key = ? AND since > ?').get(key, since)
      ?.count ?? 0
  );
}

function bump(db: Db, key: string, now: number, windowStart: number): void {
  stmt(
    db,
    `INSERT INTO login_attempts (key, count, since) VALUES (?, 1, ?)
     ON CONFLICT (key) DO UPDATE SET
       count = CASE WHEN since > ? THEN count + 1 ELSE 1 END,
       since = CASE WHEN since > ? THEN since ELSE excluded.since END`,
  ).run(key, now, windowStart, windowStart);
}

/**
 * Counts a login attempt for `user` from `address` before its password is checked, in one
 * transaction, so every server process shares the counts (a guesser spread over workers
 * gets no more tries). False, with nothing counted, when either is at its limit.
 */
export function beginLoginAttempt(db: Db, user: string, address: string, limits: LoginLimits, now: number): boolean {
  const windowStart = now - limits.windowMs;
  return writeTransaction(db, () => {
    // Expired rows go as new attempts come: the table holds one window's worth of keys.
    stmt(db, 'DELETE FROM login_attempts WHERE since <= ?').run(windowStart);
    if (
      countIn(db, userKey(user), windowStart) >= limits.maxPerUser ||
      countIn(db, addressKey(address), windowStart) >= limits.maxPerAddress
    )
      return false;
    bump(db, userKey(user), now, windowStart);
    bump(db, addressKey(address), now, windowStart);
    return true;
  });
}

/** The password was right: the user name's count is cleared and the address gets this attempt back. */
export function loginSucceeded(db: Db, user: string, address: string): void {
  writeTransaction(db, () => {
    stmt(db, 'DELETE FROM login_attempts WHERE key = ?').run(userKey(user));
    stmt(db, 'UPDATE login_attempts SET count = max(0, count - 1) WHERE key = ?').run(addressKey(address));
  });
}
