import { stmt, writeTransaction, type Db } from './database.ts';

/**
 * One notifier sends at a time, even when two run against the same database (`hydrant
 * start` and a `hydrant notifier` beside it): two senders would both send a due mail. The
 * holder renews the lock as it works; a holder killed with -9 stops renewing, and after
 * `staleSeconds` another notifier takes over (and resends, with the same Message-ID, only the
 * mail that was in flight).
 */
export function holdNotifierLock(
  db: Db,
  owner: string,
  at: number,
  staleSeconds: number,
): { held: boolean; holder: string } {
  return writeTransaction(db, () => {
    const row = stmt<{ status: string }>(db, "SELECT status FROM system_status WHERE what = 'notifier-lock'").get();
    if (row) {
      const current: { owner: string; at: number } = JSON.parse(row.status);
      if (current.owner !== owner && current.at > at - staleSeconds) return { held: false, holder: current.owner };
    }
    stmt(db, "INSERT OR REPLACE INTO system_status (what, status) VALUES ('notifier-lock', ?)").run(
      JSON.stringify({ owner, at }),
    );
    return { held: true, holder: owner };
  });
}

export function releaseNotifierLock(db: Db, owner: string): void {
  writeTransaction(db, () => {
    const row = stmt<{ status: string }>(db, "SELECT status FROM system_status WHERE what = 'notifier-lock'").get();
    const current: { owner: string } | null = row ? JSON.parse(row.status) : null;
    if (current?.owner === owner) stmt(db, "DELETE FROM system_status WHERE what = 'notifier-lock'").run();
  });
}
