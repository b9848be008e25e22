import { decodeFile } from '../../core/coverage/encode.ts';
import { emptyFile, fileTotals, mergeFile, type FileCoverage } from '../../core/coverage/tracefile.ts';
import { coverageFilesWithData, type CoverageFileRow } from '../../core/db/coverage.ts';
import type { Db } from '../../core/db/database.ts';

/** Several builds' coverage merged as `lcov -a` would merge their tracefiles (by SF: path). */
export function mergeBuildsCoverage(
  db: Db,
  buildIds: readonly number[],
): { rows: CoverageFileRow[]; files: Map<string, FileCoverage> } {
  const files = new Map<string, FileCoverage>();
  const meta = new Map<string, CoverageFileRow>();
  for (const id of buildIds) {
    for (const r of coverageFilesWithData(db, id)) {
      let f = files.get(r.path);
      if (!f) files.set(r.path, (f = emptyFile(r.path)));
      mergeFile(f, decodeFile(r.path, r.data));
      if (!meta.has(r.path)) meta.set(r.path, r);
    }
  }
  const rows = [...files.values()]
    .map((f) => {
      const m = meta.get(f.path)!;
      return { path: f.path, display: m.display, directory: m.directory, outside: m.outside, ...fileTotals(f) };
    })
    .sort((a, b) => (a.display < b.display ? -1 : 1));
  return { rows, files };
}
