import { stmt, writeTransaction, type Db } from './database.ts';

/** Puts finished builds back in the queue with no trace of their last result but their steps' history. */
export function requeueBuilds(db: Db, ids: readonly number[]): number[] {
  return writeTransaction(db, () => ids.filter((id) => stmt(db, `UPDATE builds SET finished = 0, buildstatus = NULL, iscachedbuild = NULL,
                                                                starttime = NULL, stoptime = NULL, size = NULL, closuresize = NULL, releasename = NULL
                                                              WHERE id = ? AND finished = 1`).run(id).changes > 0));
}

/** Hydra's bump: ahead of everything queued so far. */
export function bumpBuild(db: Db, id: number): boolean {
  return writeTransaction(db, () => {
    const { top } = stmt(db, 'SELECT coalesce(max(globalpriority), 0) AS top FROM builds').get() as { top: number };
    return stmt(db, 'UPDATE builds SET globalpriority = ? WHERE id = ? AND finished = 0').run(top + 1, id).changes > 0;
  });
}

/** Finished builds of the dependency derivation, failed: restarting a dependent restarts them too. */
export function failedBuildsOfDrv(db: Db, drvPath: string): number[] {
  return (stmt(db, 'SELECT id FROM builds WHERE drvpath = ? AND finished = 1 AND buildstatus != 0').all(drvPath) as { id: number }[]).map((r) => r.id);
}

/** Failed builds of an evaluation (Hydra's "restart all failed builds" of an eval). */
export function failedBuildsOfEval(db: Db, evalId: number): number[] {
  return (stmt(db, `SELECT b.id FROM jobset_eval_members m JOIN builds b ON b.id = m.build_id
                    WHERE m.eval_id = ? AND b.finished = 1 AND b.buildstatus != 0 ORDER BY b.id`).all(evalId) as { id: number }[]).map((r) => r.id);
}

/** Aborted, cancelled and unsupported builds of an evaluation (Hydra's "restart all aborted builds": 3, 4, 9). */
export function abortedBuildsOfEval(db: Db, evalId: number): number[] {
  return (stmt(db, `SELECT b.id FROM jobset_eval_members m JOIN builds b ON b.id = m.build_id
                    WHERE m.eval_id = ? AND b.finished = 1 AND b.buildstatus IN (3, 4, 9) ORDER BY b.id`).all(evalId) as { id: number }[]).map((r) => r.id);
}

/** Builds of an evaluation still queued or running (Hydra's "cancel all" and "bump" of an eval). */
export function unfinishedBuildsOfEval(db: Db, evalId: number): number[] {
  return (stmt(db, `SELECT b.id FROM jobset_eval_members m JOIN builds b ON b.id = m.build_id
                    WHERE m.eval_id = ? AND b.finished = 0 ORDER BY b.id`).all(evalId) as { id: number }[]).map((r) => r.id);
}

/** Bumps these queued builds together, ahead of everything queued so far; returns the new global priority and the ids bumped. */
export function bumpBuilds(db: Db, ids: readonly number[]): { priority: number; bumped: number[] } {
  return writeTransaction(db, () => {
    const { top } = stmt(db, 'SELECT coalesce(max(globalpriority), 0) AS top FROM builds').get() as { top: number };
    const bumped = ids.filter((id) => stmt(db, 'UPDATE builds SET globalpriority = ? WHERE id = ? AND finished = 0').run(top + 1, id).changes > 0);
    return { priority: top + 1, bumped };
  });
}

export function buildOutputPaths(db: Db, id: number): string[] {
  return (stmt(db, 'SELECT path FROM build_outputs WHERE build_id = ?').all(id) as { path: string }[]).map((r) => r.path);
}

export function stepOutputPathsOfDrv(db: Db, drvPath: string): string[] {
  return (stmt(db, `SELECT DISTINCT o.path FROM build_step_outputs o JOIN build_steps s ON s.build_id = o.build_id AND s.stepnr = o.stepnr
                    WHERE s.drvpath = ? AND o.path IS NOT NULL`).all(drvPath) as { path: string }[]).map((r) => r.path);
}
