import { randomBytes } from 'node:crypto';
import { stmt, type Db } from './database.ts';

/**
 * A random value per installation, made by whichever role asks first (INSERT OR IGNORE, so
 * two processes asking at once agree on one). Used to sign unsubscribe links.
 */
export function installationSecret(db: Db, name: string): string {
  stmt(db, 'INSERT OR IGNORE INTO secrets (name, value) VALUES (?, ?)').run(name, randomBytes(32).toString('hex'));
  return stmt<{ value: string }>(db, 'SELECT value FROM secrets WHERE name = ?').get(name)!.value;
}
