import type { Db } from '../../core/db/database.ts';
import { beginLoginAttempt, loginSucceeded } from '../../core/db/login-attempts.ts';

/**
 * Counts login attempts per user name and per client address in a fixed window, so
 * password guessing is slow without locking a real user out for long. An attempt is
 * counted *before* its password is checked: checking takes a while (scrypt), and 100
 * guesses sent at once must not all be checked because none of them had failed yet.
 * One per server process; the counts are shared.
 */
export interface RateLimiter {
  /**
   * Counts an attempt for `user` from `address` and answers true when it may be checked;
   * false (nothing counted) when the user or the address is at its limit.
   */
  begin(user: string, address: string): boolean;
  /** The password was right: the user's count is cleared and the address gets this attempt back. */
  succeeded(user: string, address: string): void;
}

/**
 * Kept in the database (core/db/login-attempts.ts), so every server process counts the same
 * attempts: with `--server-workers` 4, or several hydrants on one database, an in-memory
 * count per process gave a guesser four times the tries.
 */
export function createRateLimiter(
  db: Db,
  maxPerUser: number,
  windowSeconds: number,
  maxPerAddress = maxPerUser * 4,
): RateLimiter {
  const limits = { maxPerUser, maxPerAddress, windowMs: windowSeconds * 1000 };
  return {
    begin: (user, address) => beginLoginAttempt(db, user, address, limits, Date.now()),
    succeeded: (user, address) => loginSucceeded(db, user, address),
  };
}
