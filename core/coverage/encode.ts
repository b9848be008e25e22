import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { emptyFile, type FileCoverage } from './tracefile.ts';

/**
 * A file's coverage, stored compactly: line numbers as deltas with their counts, the
 * functions and branches as lists, as deflated JSON (a 500-line file takes ~1 KB). Pages
 * decode it instead of parsing tracefiles again.
 */
export function encodeFile(f: FileCoverage): Buffer {
  const lines = [...f.lines].sort((a, b) => a[0] - b[0]);
  const l: number[] = [];
  let previous = 0;
  for (const [line, hits] of lines) {
    l.push(line - previous, hits);
    previous = line;
  }
  const fn = [...f.functions].map(([name, x]) => [name, x.line, x.hits]);
  const b = [...f.branches];
  return deflateRawSync(JSON.stringify({ l, f: fn, b }));
}

/** Stored data are bounded when written; a blob that does not decode reads as empty. */
export function decodeFile(path: string, blob: Buffer): FileCoverage {
  const f = emptyFile(path);
  let data: { l?: number[]; f?: [string, number, number][]; b?: [string, number][] };
  try {
    data = JSON.parse(inflateRawSync(blob, { maxOutputLength: 512 * 1024 * 1024 }).toString('utf8'));
  } catch {
    return f;
  }
  let line = 0;
  const l = data.l ?? [];
  for (let i = 0; i + 1 < l.length; i += 2) {
    line += l[i]!;
    f.lines.set(line, l[i + 1]!);
  }
  for (const [name, ln, hits] of data.f ?? []) f.functions.set(name, { line: ln, hits });
  for (const [key, taken] of data.b ?? []) f.branches.set(key, taken);
  return f;
}
