import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** A step's whole log as text (plain or compressed), for tests that assert on small logs. */
export function readStepLog(stateDir: string, relative: string | null): string | null {
  if (!relative) return null;
  const full = join(stateDir, relative);
  const gz = full.endsWith('.gz') ? full : `${full}.gz`;
  if (existsSync(full) && !full.endsWith('.gz')) return readFileSync(full, 'utf8');
  return existsSync(gz) ? gunzipSync(readFileSync(gz)).toString('utf8') : null;
}
