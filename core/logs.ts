import { existsSync, readFileSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * Build logs live under STATE_DIR/logs/BUILD/STEP.log, written by the queue runner and read
 * by the server. The database stores the path relative to the state dir: the plain file
 * while the step runs (it grows; tail it), `….log.gz` once the step has ended.
 */
export function readStepLog(stateDir: string, relative: string | null): string | null {
  if (!relative) return null;
  const clean = normalize(relative);
  if (clean.startsWith('..') || clean.startsWith('/')) return null;
  const full = join(stateDir, clean);
  if (existsSync(full)) {
    const data = readFileSync(full);
    return clean.endsWith('.gz') ? gunzipSync(data).toString('utf8') : data.toString('utf8');
  }
  // A reader that looked up the plain name just before the step ended finds the .gz.
  if (!clean.endsWith('.gz') && existsSync(`${full}.gz`)) return gunzipSync(readFileSync(`${full}.gz`)).toString('utf8');
  return null;
}
