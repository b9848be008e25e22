/**
 * Counts login attempts per user name and per client address in a fixed window, so
 * password guessing is slow without locking a real user out for long. An attempt is
 * counted *before* its password is checked: checking takes a while (scrypt), and 100
 * guesses sent at once must not all be checked because none of them had failed yet.
 * One per server.
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

export function createRateLimiter(
  maxPerUser: number,
  windowSeconds: number,
  clock: () => number = Date.now,
  maxPerAddress = maxPerUser * 4,
): RateLimiter {
  const counts = new Map<string, { count: number; since: number }>();
  const current = (key: string) => {
    const entry = counts.get(key);
    if (entry && clock() - entry.since > windowSeconds * 1000) {
      counts.delete(key);
      return undefined;
    }
    return entry;
  };
  const count = (key: string) => {
    const entry = current(key);
    if (entry) entry.count++;
    else counts.set(key, { count: 1, since: clock() });
    // Bounded memory under a flood of distinct keys: forget the oldest.
    if (counts.size > 20_000) counts.delete(counts.keys().next().value as string);
  };
  const userKey = (user: string) => `user\0${user}`;
  const addressKey = (address: string) => `address\0${address}`;
  return {
    begin(user, address) {
      if (
        (current(userKey(user))?.count ?? 0) >= maxPerUser ||
        (current(addressKey(address))?.count ?? 0) >= maxPerAddress
      )
        return false;
      count(userKey(user));
      count(addressKey(address));
      return true;
    },
    succeeded(user, address) {
      counts.delete(userKey(user));
      const entry = current(addressKey(address));
      if (entry) entry.count = Math.max(0, entry.count - 1);
    },
  };
}
