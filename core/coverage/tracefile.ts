/**
 * Coverage of source files as lcov's tracefiles record it, merged as `lcov -a` merges:
 * per source file (the SF: path as written), hits summed per line, per function (by name)
 * and per branch (line, block, branch); the union of the files.
 */
export interface FileCoverage {
  /** The SF: path as the tracefile wrote it (the key lcov merges on). */
  path: string;
  /** Line number → hits. */
  lines: Map<number, number>;
  /** Function name → its first line (0 when only FNDA named it) and hits. */
  functions: Map<string, { line: number; hits: number }>;
  /** "LINE,BLOCK,BRANCH" → times taken, or -1 for lcov's "-" (never evaluated). */
  branches: Map<string, number>;
}

export interface Totals {
  linesFound: number;
  linesHit: number;
  functionsFound: number;
  functionsHit: number;
  branchesFound: number;
  branchesHit: number;
}

/** Hit counts beyond this are kept at it: JavaScript numbers are exact only up to 2^53. */
export const MAX_COUNT = Number.MAX_SAFE_INTEGER;

export function addCounts(a: number, b: number): number {
  const sum = a + b;
  return sum > MAX_COUNT ? MAX_COUNT : sum;
}

export function emptyFile(path: string): FileCoverage {
  return { path, lines: new Map(), functions: new Map(), branches: new Map() };
}

/** lcov's rule for "-": a branch never evaluated stays "-" until some tracefile has a number for it. */
export function addBranch(a: number | undefined, b: number): number {
  if (a === undefined || a < 0) return b;
  return b < 0 ? a : addCounts(a, b);
}

/** Adds `from` into `into` (lcov -a for one source file). */
export function mergeFile(into: FileCoverage, from: FileCoverage): void {
  for (const [line, hits] of from.lines) into.lines.set(line, addCounts(into.lines.get(line) ?? 0, hits));
  for (const [name, f] of from.functions) {
    const had = into.functions.get(name);
    if (had) {
      had.hits = addCounts(had.hits, f.hits);
      if (had.line === 0) had.line = f.line;
    } else {
      into.functions.set(name, { ...f });
    }
  }
  for (const [key, taken] of from.branches) into.branches.set(key, addBranch(into.branches.get(key), taken));
}

export function fileTotals(f: FileCoverage): Totals {
  let linesHit = 0;
  for (const hits of f.lines.values()) if (hits > 0) linesHit++;
  let functionsHit = 0;
  for (const fn of f.functions.values()) if (fn.hits > 0) functionsHit++;
  let branchesHit = 0;
  for (const taken of f.branches.values()) if (taken > 0) branchesHit++;
  return {
    linesFound: f.lines.size,
    linesHit,
    functionsFound: f.functions.size,
    functionsHit,
    branchesFound: f.branches.size,
    branchesHit,
  };
}

export function zeroTotals(): Totals {
  return { linesFound: 0, linesHit: 0, functionsFound: 0, functionsHit: 0, branchesFound: 0, branchesHit: 0 };
}

export function sumTotals(all: Iterable<Totals>): Totals {
  const t = zeroTotals();
  for (const x of all) {
    t.linesFound += x.linesFound;
    t.linesHit += x.linesHit;
    t.functionsFound += x.functionsFound;
    t.functionsHit += x.functionsHit;
    t.branchesFound += x.branchesFound;
    t.branchesHit += x.branchesHit;
  }
  return t;
}

/** Percentage with lcov's rounding to one decimal; null when there is nothing to cover. */
export function percent(hit: number, found: number): number | null {
  return found === 0 ? null : Math.round((hit / found) * 1000) / 10;
}
