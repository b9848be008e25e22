import { createReadStream, existsSync } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { stepLogFile } from '../logs.ts';

/**
 * The last `lines` lines of a step's log (plain or .gz), streamed through a window of
 * `maxBytes` and given up after `timeoutMs`, so a 64 MiB log costs no more memory than a
 * short one and a log that cannot be read never holds up the mail.
 */
export async function logEnd(
  stateDir: string,
  relative: string | null,
  lines = 20,
  maxBytes = 4096,
  timeoutMs = 10_000,
): Promise<string | null> {
  const path = stepLogFile(stateDir, relative)?.path;
  if (!path || !existsSync(path)) return null;
  let window = Buffer.alloc(0);
  const keep = new Writable({
    write(chunk: Buffer, _encoding, done) {
      window = Buffer.concat([window, chunk]);
      if (window.length > maxBytes * 2) window = window.subarray(window.length - maxBytes);
      done();
    },
  });
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    if (path.endsWith('.gz')) await pipeline(createReadStream(path), createGunzip(), keep, { signal });
    else await pipeline(createReadStream(path), keep, { signal });
  } catch {
    return null;
  }
  const text = window
    .subarray(Math.max(0, window.length - maxBytes))
    .toString('utf8')
    .replace(/\n+$/, '');
  return text.split('\n').slice(-lines).join('\n');
}
