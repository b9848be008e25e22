/**
 * Counts failed logins per key (client address and user name) in a fixed window, so
 * password guessing is slow without locking a real user out for long. One per server.
 */
export interface RateLimiter {
  /** True when the key may try again now. */
  allowed(key: string): boolean;
  fail(key: string): void;
  reset(key: string): void;
}

export function createRateLimiter(maxFailures: number, windowSeconds: number, clock: () => number = Date.now): RateLimiter {
  const failures = new Map<string, { count: number; since: number }>();
  const current = (key: string) => {
    const entry = failures.get(key);
    if (entry && clock() - entry.since > windowSeconds * 1000) {
      failures.delete(key);
      return undefined;
    }
    return entry;
  };
  return {
    allowed: (key) => (current(key)?.count ?? 0) < maxFailures,
    fail(key) {
      const entry = current(key);
      if (entry) entry.count++;
      else failures.set(key, { count: 1, since: clock() });
      // Bounded memory under a flood of distinct keys: forget the oldest.
      if (failures.size > 10_000) failures.delete(failures.keys().next().value as string);
    },
    reset: (key) => { failures.delete(key); },
  };
}
