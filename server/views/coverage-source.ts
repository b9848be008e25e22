import { closeSync, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import type { FileCoverage } from '../../core/coverage/tracefile.ts';

const MAX_SOURCE_BYTES = 4 * 1024 * 1024;
const MAX_LINES_SHOWN = 100_000;

/**
 * The source of a covered file, read only from the Nix store (the path its tracefile
 * names): never from anywhere else on this machine, however the path is written, and
 * bounded in size. Null with the reason when it cannot be shown.
 */
export function readSource(sf: string): { lines: string[] } | { missing: string } {
  let real: string;
  try {
    real = realpathSync(sf);
  } catch {
    return { missing: 'the source file is not in the store (it may have been garbage-collected)' };
  }
  if (!real.startsWith('/nix/store/'))
    return { missing: 'the source file lies outside the Nix store; hydrant does not read it' };
  let fd: number;
  try {
    fd = openSync(real, 'r');
  } catch {
    return { missing: 'the source file cannot be read' };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { missing: 'the source path is not a file' };
    if (st.size > MAX_SOURCE_BYTES)
      return { missing: `the source file is larger than ${MAX_SOURCE_BYTES} bytes; only counts are shown` };
    const buf = Buffer.alloc(st.size);
    readSync(fd, buf, 0, st.size, 0);
    return { lines: buf.toString('utf8').split('\n') };
  } finally {
    closeSync(fd);
  }
}

/** One row per line: number, hits (null: not instrumented), text, and whether it is uncovered. */
export function annotatedLines(f: FileCoverage, source: string[] | null) {
  let last = source?.length ?? 0;
  for (const n of f.lines.keys()) if (n > last) last = n;
  last = Math.min(MAX_LINES_SHOWN, last);
  const rows = [];
  for (let n = 1; n <= last; n++) {
    const hits = f.lines.get(n);
    rows.push({
      n,
      hits: hits ?? null,
      text: source?.[n - 1] ?? '',
      uncovered: hits === 0,
      covered: hits !== undefined && hits > 0,
    });
  }
  return rows;
}
