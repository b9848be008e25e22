import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { directoryOf, displayPath } from './display-path.ts';
import { encodeFile } from './encode.ts';
import { COVERAGE_LIMITS, type CoverageLimits } from './limits.ts';
import { newBudget, readTracefile, type MergedCoverage } from './read-tracefile.ts';
import { fileTotals, sumTotals, type Totals } from './tracefile.ts';

export interface CoverageFileRecord {
  path: string;
  display: string;
  directory: string;
  outside: boolean;
  totals: Totals;
  data: Buffer;
}

/** A build's merged coverage as it is stored (core/db/coverage.ts). */
export interface CoverageRecord {
  tracefiles: number;
  totals: Totals;
  problems: string[];
  files: CoverageFileRecord[];
}

interface ProductLike {
  type: string;
  subtype: string;
  path: string;
}

function isFile(path: string): boolean {
  try {
    return lstatSync(path).isFile(); // never a symlink: it could lead anywhere on this machine
  } catch {
    return false;
  }
}

/** `.info` files in a coverage directory, depth-first, without following symlinks, bounded. */
function infoFilesIn(dir: string, max: number, depth = 0, found: string[] = []): string[] {
  if (depth > 8 || found.length >= max) return found;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  } catch {
    return found;
  }
  for (const e of entries) {
    if (found.length >= max) break;
    const p = join(dir, e.name);
    if (e.isFile() && e.name.endsWith('.info')) found.push(p);
    else if (e.isDirectory()) infoFilesIn(p, max, depth + 1, found);
  }
  return found;
}

/** Hydra's lcov products: `file lcov PATH` and `report coverage DIR` (its `.info` files). */
export function tracefilesOf(products: readonly ProductLike[], limits: CoverageLimits = COVERAGE_LIMITS): string[] {
  const files = new Set<string>();
  for (const p of products) {
    if (p.type === 'file' && p.subtype === 'lcov' && isFile(p.path)) files.add(p.path);
    if (p.type === 'report' && p.subtype === 'coverage') {
      if (isFile(p.path) && p.path.endsWith('.info')) files.add(p.path);
      else for (const f of infoFilesIn(p.path, limits.maxTracefiles)) files.add(f);
    }
  }
  return [...files].slice(0, limits.maxTracefiles);
}

/**
 * Reads and merges every tracefile of a build's products, as `lcov -a` would, into the
 * shape the pages serve. Null when the build has no lcov products. Never throws: what is
 * wrong with a tracefile becomes a problem of the record.
 */
export async function readBuildCoverage(
  products: readonly ProductLike[],
  outputs: readonly string[],
  limits: CoverageLimits = COVERAGE_LIMITS,
): Promise<CoverageRecord | null> {
  const tracefiles = tracefilesOf(products, limits);
  if (tracefiles.length === 0) return null;
  const merged: MergedCoverage = { files: new Map(), problems: [] };
  const budget = newBudget(limits);
  const shortName = (f: string) => {
    const out = outputs.find((o) => f.startsWith(`${o}/`));
    return out ? f.slice(out.length + 1) : f;
  };
  for (const f of tracefiles) await readTracefile(f, shortName(f), merged, budget);
  const files: CoverageFileRecord[] = [];
  let outside = 0;
  for (const f of merged.files.values()) {
    const shown = displayPath(f.path);
    if (shown.outside) outside++;
    files.push({
      path: f.path,
      display: shown.path,
      directory: directoryOf(shown.path),
      outside: shown.outside,
      totals: fileTotals(f),
      data: encodeFile(f),
    });
  }
  if (outside > 0)
    merged.problems.push(
      `${outside} source file${outside === 1 ? '' : 's'} lie outside any store path or build ` +
        `directory; shown as written, their source is not read`,
    );
  return {
    tracefiles: tracefiles.length,
    totals: sumTotals(files.map((f) => f.totals)),
    problems: merged.problems,
    files,
  };
}
