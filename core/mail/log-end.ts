import { createReadStream, existsSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { stepLogPath } from '../log-tail.ts';

/**
 * The last `lines` lines of a step's log (plain or .gz), streamed through a window of
 * `maxBytes`, so a 64 MiB log costs no more memory than a short one.
 */
export async function logEnd(stateDir: string, relative: string | null, lines = 20, maxBytes = 4096): Promise<string | null> {
  let path = stepLogPath(stateDir, relative);
  if (!path) return null;
  if (!existsSync(path) && !path.endsWith('.gz') && existsSync(`${path}.gz`)) path = `${path}.gz`;
  if (!existsSync(path)) return null;
  let window = Buffer.alloc(0);
  const source = createReadStream(path);
  const stream = path.endsWith('.gz') ? source.pipe(createGunzip()) : source;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      window = Buffer.concat([window, chunk]);
      if (window.length > maxBytes * 2) window = window.subarray(window.length - maxBytes);
    }
  } catch {
    return null;
  } finally {
    source.destroy();
  }
  const text = window.subarray(Math.max(0, window.length - maxBytes)).toString('utf8').replace(/\n+$/, '');
  return text.split('\n').slice(-lines).join('\n');
}
