import { stmt, writeTransaction, type Db } from './database.ts';
import { clearFailedPaths } from './failed-paths.ts';
import { ABORTED_STATUSES, BuildStatus, sqlList } from '../model/status.ts';

/**
 * Puts finished builds back in the queue with no trace of their last result but their steps'
 * history, and takes the given paths out of the failed-paths cache, in one transaction: a
 * crash between the two would leave builds queued that end at once as cached failures.
 * Returns the builds requeued (those still finished) and how many cached failures went.
 */
export function restartBuilds(
  db: Db,
  ids: readonly number[],
  failedPaths: readonly string[],
): { requeued: number[]; cleared: number } {
  return writeTransaction(db, () => {
    const cleared = clearFailedPaths(db, failedPaths);
    const requeued = ids.filter(
      (id) =>
        stmt(
          db,
          `UPDATE builds SET finished = 0, buildstatus = NULL, iscachedbuild = NULL,
                                  starttime = NULL, stoptime = NULL, size = NULL, closuresize = NULL, releasename = NULL
                                                  WHERE id = ? AND finished = 1`,
        ).run(id).changes > 0,
    );
    return { requeued, cleared };
  });
}

/** Finished builds of the dependency derivation, failed: restarting a dependent restarts them too. */
export function failedBuildsOfDrv(db: Db, drvPath: string): number[] {
  return stmt<{ id: number }>(
    db,
    `SELECT id FROM builds WHERE drvpath = ? AND finished = 1 AND buildstatus != ${BuildStatus.Success}`,
  )
    .all(drvPath)
    .map((r) => r.id);
}

/** Which members of an evaluation its actions act on; fixed SQL, never built from input. */
const EVAL_MEMBERS = {
  /** Hydra's "restart all failed builds": anything but success. */
  failed: `b.finished = 1 AND b.buildstatus != ${BuildStatus.Success}`,
  /** Hydra's "restart all aborted builds": aborted, cancelled, unsupported. */
  aborted: `b.finished = 1 AND b.buildstatus IN (${sqlList(ABORTED_STATUSES)})`,
  /** Hydra's "cancel all scheduled builds" and "bump": still queued or running. */
  unfinished: 'b.finished = 0',
} as const;

/** Ids of an evaluation's builds in one of the states its actions act on, oldest first. */
export function evalBuildIdsIn(db: Db, evalId: number, state: keyof typeof EVAL_MEMBERS): number[] {
  return stmt<{ id: number }>(
    db,
    `SELECT b.id FROM jobset_eval_members m JOIN builds b ON b.id = m.build_id
                    WHERE m.eval_id = ? AND ${EVAL_MEMBERS[state]} ORDER BY b.id`,
  )
    .all(evalId)
    .map((r) => r.id);
}

/**
 * Hydra's bump: these queued builds together, ahead of everything queued so far; returns the new
 * global priority and the ids bumped.
 */
export function bumpBuilds(db: Db, ids: readonly number[]): { priority: number; bumped: number[] } {
  return writeTransaction(db, () => {
    const { top } = stmt<{ top: number }>(db, 'SELECT coalesce(max(globalpriority), 0) AS top FROM builds').get()!;
    const bumped = ids.filter(
      (id) =>
        stmt(db, 'UPDATE builds SET globalpriority = ? WHERE id = ? AND finished = 0').run(top + 1, id).changes > 0,
    );
    return { priority: top + 1, bumped };
  });
}

export function buildOutputPaths(db: Db, id: number): string[] {
  return stmt<{ path: string }>(db, 'SELECT path FROM build_outputs WHERE build_id = ?')
    .all(id)
    .map((r) => r.path);
}

export function stepOutputPathsOfDrv(db: Db, drvPath: string): string[] {
  return stmt<{ path: string }>(
    db,
    `SELECT DISTINCT o.path FROM build_step_outputs o JOIN build_steps s ON s.build_id = o.build_id
      AND s.stepnr = o.stepnr
                    WHERE s.drvpath = ? AND o.path IS NOT NULL`,
  )
    .all(drvPath)
    .map((r) => r.path);
}
