import { percent, sumTotals, type Totals } from '../../core/coverage/tracefile.ts';
import type { CoverageFileRow } from '../../core/db/coverage.ts';

/** genhtml's thresholds: at least 90% is high, at least 75% medium, below that low. */
export function level(p: number | null): 'hi' | 'med' | 'lo' | 'none' {
  if (p === null) return 'none';
  if (p >= 90) return 'hi';
  return p >= 75 ? 'med' : 'lo';
}

function figure(hit: number, found: number) {
  const p = percent(hit, found);
  return { hit, found, percent: p, text: p === null ? '–' : `${p.toFixed(1)}%`, level: level(p) };
}

/** Totals as the three figures a coverage row shows (line, function, branch). */
export function figures(t: Totals) {
  return {
    lines: figure(t.linesHit, t.linesFound),
    functions: figure(t.functionsHit, t.functionsFound),
    branches: figure(t.branchesHit, t.branchesFound),
    bar: Math.round(((percent(t.linesHit, t.linesFound) ?? 0) / 100) * 100),
  };
}

const SORTS = ['name', 'lines', 'functions', 'branches'] as const;
/** Rows of one table page; a hostile build may list 100,000 files in one directory. */
const MAX_ROWS = 2000;
export type SortKey = (typeof SORTS)[number];

export function sortOf(q: unknown, order: unknown): { key: SortKey; desc: boolean } {
  const key = SORTS.includes(q as SortKey) ? (q as SortKey) : 'name';
  return { key, desc: order === 'desc' };
}

interface Row {
  name: string;
  totals: Totals;
}

function sortRows<T extends Row>(rows: T[], sort: { key: SortKey; desc: boolean }): T[] {
  const value = (r: Row): number | string => {
    if (sort.key === 'name') return r.name;
    const t = r.totals;
    let [hit, found] = [t.branchesHit, t.branchesFound];
    if (sort.key === 'lines') [hit, found] = [t.linesHit, t.linesFound];
    if (sort.key === 'functions') [hit, found] = [t.functionsHit, t.functionsFound];
    return percent(hit, found) ?? -1;
  };
  const sorted = [...rows].sort((a, b) => {
    const [x, y] = [value(a), value(b)];
    if (x !== y) return x < y ? -1 : 1;
    return a.name < b.name ? -1 : 1;
  });
  return sort.desc ? sorted.reverse() : sorted;
}

/**
 * The table of the paper's Figure 8: one row per directory, or, with `dir`, one per file of
 * that directory; sorted as the query string asks, so no script is needed.
 */
export function coverageTable(
  files: CoverageFileRow[],
  opts: { dir: string | null; sort: { key: SortKey; desc: boolean }; base: string },
) {
  const sortLinks = Object.fromEntries(
    SORTS.map((k) => {
      const desc = opts.sort.key === k ? !opts.sort.desc : k !== 'name';
      const params = new URLSearchParams({
        ...(opts.dir !== null ? { dir: opts.dir } : {}),
        sort: k,
        order: desc ? 'desc' : 'asc',
      });
      return [k, `${opts.base}?${params}`];
    }),
  );
  if (opts.dir !== null) {
    const inDir = files.filter((f) => f.directory === opts.dir);
    const rows = sortRows(
      inDir.map((f) => ({ name: f.display, totals: f, outside: f.outside === 1 })),
      opts.sort,
    );
    const prefix = opts.dir === '.' ? '' : `${opts.dir}/`;
    return {
      dir: opts.dir,
      sortLinks,
      hidden: Math.max(0, rows.length - MAX_ROWS),
      rows: rows.slice(0, MAX_ROWS).map((r) => ({
        name: r.name.startsWith(prefix) ? r.name.slice(prefix.length) : r.name,
        outside: r.outside,
        url: `${opts.base}/${r.name.split('/').map(encodeURIComponent).join('/')}`,
        ...figures(r.totals),
      })),
    };
  }
  const byDir = new Map<string, CoverageFileRow[]>();
  for (const f of files) {
    const group = byDir.get(f.directory);
    if (group) group.push(f);
    else byDir.set(f.directory, [f]);
  }
  const rows = sortRows(
    [...byDir].map(([name, fs]) => ({ name, totals: sumTotals(fs), count: fs.length })),
    opts.sort,
  );
  return {
    dir: null,
    sortLinks,
    hidden: Math.max(0, rows.length - MAX_ROWS),
    rows: rows.slice(0, MAX_ROWS).map((r) => ({
      name: r.name,
      files: r.count,
      url: `${opts.base}?${new URLSearchParams({ dir: r.name })}`,
      ...figures(r.totals),
    })),
  };
}

export function totalsJson(t: Totals) {
  return {
    lines: { hit: t.linesHit, found: t.linesFound, percent: percent(t.linesHit, t.linesFound) },
    functions: { hit: t.functionsHit, found: t.functionsFound, percent: percent(t.functionsHit, t.functionsFound) },
    branches: { hit: t.branchesHit, found: t.branchesFound, percent: percent(t.branchesHit, t.branchesFound) },
  };
}
