import { createReadStream } from 'node:fs';
import { COVERAGE_LIMITS, type CoverageLimits } from './limits.ts';
import { addBranch, addCounts, emptyFile, MAX_COUNT, type FileCoverage } from './tracefile.ts';

/** What several tracefiles of one build may still cost together (see limits.ts). */
export interface ReadBudget {
  limits: CoverageLimits;
  bytes: number;
  records: number;
  nameChars: number;
}

export function newBudget(limits: CoverageLimits = COVERAGE_LIMITS): ReadBudget {
  return { limits, bytes: 0, records: 0, nameChars: 0 };
}

/** Merged coverage keyed by SF: path, with the problems met while reading, one sentence each. */
export interface MergedCoverage {
  files: Map<string, FileCoverage>;
  problems: string[];
}

class GiveUp extends Error {}

const COUNT = /^\d{1,30}$/;

function count(text: string): number | null {
  if (!COUNT.test(text)) return null;
  const n = Number(text);
  return n > MAX_COUNT ? MAX_COUNT : n;
}

/**
 * Reads one lcov tracefile (`.info`) into `into`, merging as `lcov -a` does, streaming: only
 * one line at a time is held besides the merged result. Malformed lines are skipped and
 * counted; too many of them, or any bound of `budget` reached, ends the file with a
 * problem and keeps what was read before it.
 */
export async function readTracefile(
  file: string,
  name: string,
  into: MergedCoverage,
  budget: ReadBudget,
): Promise<void> {
  const { limits } = budget;
  let current: FileCoverage | null = null;
  let lineNo = 0;
  let malformed = 0;
  let firstMalformed = '';
  let carry = '';
  let skippingLongLine = false;
  let records = 0;
  let sawRecord = false;
  const problem = (text: string) => into.problems.push(`${name}: ${text}`);
  const bad = (line: string, why: string) => {
    malformed++;
    if (!firstMalformed) firstMalformed = `line ${lineNo}: ${why}: ${JSON.stringify(line.slice(0, 80))}`;
    if (malformed > limits.maxMalformedLines) throw new GiveUp(`not an lcov tracefile (${firstMalformed})`);
  };
  const record = () => {
    if (++budget.records > limits.maxRecords)
      throw new GiveUp(`more than ${limits.maxRecords} coverage records in this build; the rest is left out`);
  };
  const newName = (name: string) => {
    budget.nameChars += name.length;
    if (budget.nameChars > limits.maxNameChars)
      throw new GiveUp(
        `more than ${limits.maxNameChars} characters of file and function names in this build; the rest is left out`,
      );
  };
  const handle = (raw: string) => {
    lineNo++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') return;
    if (line === 'end_of_record') {
      current = null;
      return;
    }
    const colon = line.indexOf(':');
    const tag = colon > 0 ? line.slice(0, colon) : '';
    if (!/^[A-Z]{2,8}$/.test(tag)) return bad(line, 'not an lcov record');
    const value = line.slice(colon + 1);
    if (tag === 'SF') {
      if (value === '') return bad(line, 'empty source file name');
      if (value.length > limits.maxNameLength) {
        current = null; // its records are skipped as outside a source file record
        return bad(line, 'source file name too long');
      }
      sawRecord = true;
      let f = into.files.get(value);
      if (!f) {
        if (into.files.size >= limits.maxFiles)
          throw new GiveUp(`more than ${limits.maxFiles} source files in this build; the rest is left out`);
        newName(value);
        into.files.set(value, (f = emptyFile(value)));
      }
      current = f;
      return;
    }
    if (tag !== 'DA' && tag !== 'FN' && tag !== 'FNDA' && tag !== 'BRDA') return; // TN, LF, LH, FNF, ...: recomputed
    const f: FileCoverage | null = current;
    if (!f) return bad(line, `${tag} outside a source file record`);
    const parts = value.split(',');
    if (tag === 'DA') {
      const ln = Number(parts[0]);
      const hits = count(parts[1] ?? '');
      if (!Number.isInteger(ln) || ln < 0 || ln > limits.maxLineNumber || hits === null) return bad(line, 'bad DA');
      const had = f.lines.get(ln);
      if (had === undefined) record();
      f.lines.set(ln, had === undefined ? hits : addCounts(had, hits));
    } else if (tag === 'FN') {
      // lcov 1.x: FN:LINE,NAME; lcov 2.x: FN:START,END,NAME. A name may itself hold commas (C++).
      const ln = Number(parts[0]);
      const nameAt = parts.length >= 3 && /^\d+$/.test(parts[1]!) ? 2 : 1;
      const fn = parts.slice(nameAt).join(',');
      if (!Number.isInteger(ln) || ln < 0 || fn === '' || fn.length > limits.maxNameLength) return bad(line, 'bad FN');
      const had = f.functions.get(fn);
      if (had) {
        if (had.line === 0) had.line = ln;
      } else {
        record();
        newName(fn);
        f.functions.set(fn, { line: ln, hits: 0 });
      }
    } else if (tag === 'FNDA') {
      const hits = count(parts[0] ?? '');
      const fn = parts.slice(1).join(',');
      if (hits === null || fn === '' || fn.length > limits.maxNameLength) return bad(line, 'bad FNDA');
      const had = f.functions.get(fn);
      if (had) had.hits = addCounts(had.hits, hits);
      else {
        record();
        newName(fn);
        f.functions.set(fn, { line: 0, hits });
      }
    } else {
      const taken = parts[3] === '-' ? -1 : count(parts[3] ?? '');
      if (parts.length !== 4 || taken === null || !/^\d+$/.test(parts[0]!) || Number(parts[0]) > limits.maxLineNumber)
        return bad(line, 'bad BRDA');
      const key = `${parts[0]},${parts[1]},${parts[2]}`;
      if (key.length > limits.maxNameLength) return bad(line, 'bad BRDA');
      const had = f.branches.get(key);
      if (had === undefined) {
        record();
        newName(key);
      }
      f.branches.set(key, addBranch(had, taken));
    }
    records++;
  };
  try {
    const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1024 * 1024 });
    try {
      for await (const chunk of stream as AsyncIterable<string>) {
        budget.bytes += chunk.length;
        if (budget.bytes > limits.maxBytes)
          throw new GiveUp(`more than ${limits.maxBytes} bytes of tracefiles in this build; the rest is left out`);
        let start = 0;
        for (;;) {
          const nl = chunk.indexOf('\n', start);
          if (nl < 0) break;
          const piece = chunk.slice(start, nl);
          start = nl + 1;
          if (skippingLongLine) {
            skippingLongLine = false;
            carry = '';
            lineNo++;
            continue;
          }
          const whole = carry ? carry + piece : piece;
          carry = '';
          if (whole.length > limits.maxLineBytes) {
            lineNo++;
            bad(whole, 'line too long');
            continue;
          }
          handle(whole);
        }
        if (!skippingLongLine) {
          carry += chunk.slice(start);
          if (carry.length > limits.maxLineBytes) {
            bad(carry, 'line too long');
            skippingLongLine = true;
            carry = '';
          }
        }
      }
    } finally {
      stream.destroy();
    }
    if (carry && !skippingLongLine) handle(carry);
    if (current) problem('truncated: the last source file record has no end_of_record (what it holds is counted)');
    if (malformed > 0)
      problem(`${malformed} malformed line${malformed === 1 ? '' : 's'} skipped (first: ${firstMalformed})`);
    if (!sawRecord && records === 0 && malformed === 0) problem('holds no coverage records');
  } catch (e) {
    if (e instanceof GiveUp) problem(e.message);
    else problem(`could not be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
