import { stmt, type Db } from './database.ts';

export interface DiffEntry {
  job: string;
  buildId: number | null;
  previousBuildId: number | null;
  /** null while the build is unfinished. */
  status: number | null;
  previousStatus: number | null;
}

/** Hydra's comparison of an evaluation with an earlier one, by job name. */
export interface EvalDiff {
  /** Jobs the earlier evaluation did not have. */
  added: DiffEntry[];
  /** Jobs only the earlier evaluation had. */
  removed: DiffEntry[];
  /** Jobs in both whose derivation changed (a new build). */
  changed: DiffEntry[];
  /** Jobs in both that reuse the same build. */
  unchanged: DiffEntry[];
  /** Jobs whose build failed where the earlier one succeeded. */
  newlyFailing: DiffEntry[];
  /** Jobs whose build succeeded where the earlier one failed. */
  newlySucceeding: DiffEntry[];
}

interface MemberRow { job: string; build_id: number; finished: number; buildstatus: number | null }

function members(db: Db, evalId: number): Map<string, MemberRow> {
  const rows = stmt(db, `SELECT b.job, b.id AS build_id, b.finished, b.buildstatus FROM jobset_eval_members m
                         JOIN builds b ON b.id = m.build_id WHERE m.eval_id = ? ORDER BY b.job`).all(evalId) as MemberRow[];
  return new Map(rows.map((r) => [r.job, r]));
}

/** Compares evaluation evalId with previousId (usually the jobset's evaluation before it). */
export function compareEvals(db: Db, evalId: number, previousId: number): EvalDiff {
  const now = members(db, evalId);
  const before = members(db, previousId);
  const diff: EvalDiff = { added: [], removed: [], changed: [], unchanged: [], newlyFailing: [], newlySucceeding: [] };
  const status = (r: MemberRow | undefined) => (r && r.finished ? r.buildstatus : null);
  const entry = (job: string, cur?: MemberRow, prev?: MemberRow): DiffEntry => ({
    job, buildId: cur?.build_id ?? null, previousBuildId: prev?.build_id ?? null, status: status(cur), previousStatus: status(prev),
  });
  for (const [job, cur] of now) {
    const prev = before.get(job);
    const e = entry(job, cur, prev);
    if (!prev) diff.added.push(e);
    else (prev.build_id === cur.build_id ? diff.unchanged : diff.changed).push(e);
    if (prev && e.status !== null && e.previousStatus !== null) {
      if (e.status !== 0 && e.previousStatus === 0) diff.newlyFailing.push(e);
      if (e.status === 0 && e.previousStatus !== 0) diff.newlySucceeding.push(e);
    }
  }
  for (const [job, prev] of before) if (!now.has(job)) diff.removed.push(entry(job, undefined, prev));
  return diff;
}
