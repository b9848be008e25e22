import { decodeFile } from '../../core/coverage/encode.ts';
import { percent, sumTotals, type Totals } from '../../core/coverage/tracefile.ts';
import { coverageFileData, coverageFiles, type CoverageFileRow } from '../../core/db/coverage.ts';
import type { Db } from '../../core/db/database.ts';

const MAX_LINES_LISTED = 500;

interface Change {
  name: string;
  before: number | null;
  after: number | null;
  delta: number;
  url?: string;
}

function byKey(rows: CoverageFileRow[], key: (r: CoverageFileRow) => string): Map<string, Totals> {
  const groups = new Map<string, CoverageFileRow[]>();
  for (const r of rows) {
    const k = key(r);
    const group = groups.get(k);
    if (group) group.push(r);
    else groups.set(k, [r]);
  }
  return new Map([...groups].map(([k, v]) => [k, sumTotals(v)]));
}

function changes(before: Map<string, Totals>, after: Map<string, Totals>): Change[] {
  const out: Change[] = [];
  for (const name of new Set([...before.keys(), ...after.keys()])) {
    const b = before.get(name);
    const a = after.get(name);
    const pb = b ? percent(b.linesHit, b.linesFound) : null;
    const pa = a ? percent(a.linesHit, a.linesFound) : null;
    const delta = Math.round(((pa ?? 0) - (pb ?? 0)) * 10) / 10;
    if (delta !== 0 || (b === undefined) !== (a === undefined)) out.push({ name, before: pb, after: pa, delta });
  }
  return out.sort((x, y) => x.delta - y.delta || (x.name < y.name ? -1 : 1));
}

/**
 * What changed in coverage from one build to the next, by the paths readers see (a new
 * source store path is still the same file): directories and files whose line coverage
 * rose or fell, and lines covered before and not any more.
 */
export function coverageChange(db: Db, previousId: number, currentId: number) {
  const before = coverageFiles(db, previousId);
  const after = coverageFiles(db, currentId);
  const dirs = changes(
    byKey(before, (r) => r.directory),
    byKey(after, (r) => r.directory),
  );
  const files = changes(
    byKey(before, (r) => r.display),
    byKey(after, (r) => r.display),
  );
  const newlyUncovered: { file: string; line: number; url: string }[] = [];
  const beforeNames = new Set(before.map((r) => r.display));
  for (const display of [...new Set(after.map((r) => r.display))].filter((d) => beforeNames.has(d))) {
    if (newlyUncovered.length >= MAX_LINES_LISTED) break;
    const hitsOf = (id: number) => {
      const m = new Map<number, number>();
      for (const r of coverageFileData(db, id, display))
        for (const [n, h] of decodeFile(r.path, r.data).lines) m.set(n, (m.get(n) ?? 0) + h);
      return m;
    };
    const was = hitsOf(previousId);
    for (const [n, h] of [...hitsOf(currentId)].sort((a, b) => a[0] - b[0])) {
      if (h === 0 && (was.get(n) ?? 0) > 0 && newlyUncovered.length < MAX_LINES_LISTED) {
        newlyUncovered.push({
          file: display,
          line: n,
          url: `/build/${currentId}/coverage/${display.split('/').map(encodeURIComponent).join('/')}#L${n}`,
        });
      }
    }
  }
  return {
    previousId,
    currentId,
    dirs,
    rose: files.filter((f) => f.delta > 0),
    fell: files.filter((f) => f.delta < 0),
    newlyUncovered,
  };
}
