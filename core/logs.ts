import { existsSync, readFileSync } from 'node:fs';
import { join, normalize } from 'node:path';

/**
 * Build logs live under STATE_DIR/logs/BUILD/STEP.log, written by the queue runner and read
 * by the server. The database stores the path relative to the state dir.
 */
export function readStepLog(stateDir: string, relative: string | null): string | null {
  if (!relative) return null;
  const clean = normalize(relative);
  if (clean.startsWith('..') || clean.startsWith('/')) return null;
  const full = join(stateDir, clean);
  return existsSync(full) ? readFileSync(full, 'utf8') : null;
}
