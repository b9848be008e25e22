import type { EvalRow } from '../../core/model/rows.ts';
import type { MatrixCell } from '../../core/db/jobset-matrix.ts';
import { statusClass, statusLabel } from '../../core/model/status.ts';
import { links } from './links.ts';

/** One character per cell keeps a 50 × 10 matrix small; the full word is in the cell's title. */
const SYMBOL: Record<string, string> = { success: '✔', failure: '✘', cancelled: '⊘', running: '▶', pending: '…' };

/** The jobs × recent evaluations table of /jobset/P/J: one row per job, one cell per evaluation. */
export function statusMatrix(
  project: string,
  jobset: string,
  jobs: string[],
  evals: EvalRow[],
  cells: MatrixCell[],
  running: ReadonlySet<number>,
) {
  const byKey = new Map(cells.map((c) => [`${c.job}\0${c.eval_id}`, c]));
  return {
    evals: evals.map((e) => ({ id: e.id, url: links.eval(e.id) })),
    rows: jobs.map((job) => ({
      job,
      url: links.job(project, jobset, job),
      cells: evals.map((e) => {
        const c = byKey.get(`${job}\0${e.id}`);
        if (!c) return { empty: true };
        const isRunning = running.has(c.id);
        const cls = statusClass(c.finished === 1, c.buildstatus, isRunning);
        return {
          url: links.build(c.id),
          id: c.id,
          label: statusLabel(c.finished === 1, c.buildstatus, isRunning),
          cls,
          symbol: SYMBOL[cls],
        };
      }),
    })),
  };
}
