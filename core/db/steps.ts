import { now, stmt, writeTransaction, type Db } from './database.ts';
import { BuildStatus, sqlList } from '../model/status.ts';

/**
 * Opens a busy step; its log file name is derived from the step number it gets. `phase`:
 * the StepPhase it starts in (a local build starts building at once: no second write).
 */
export function startStep(
  db: Db,
  s: {
    buildId: number;
    drvPath: string;
    machine: string;
    system: string;
    logfileFor: (stepnr: number) => string;
    phase?: number;
  },
): number {
  return writeTransaction(db, () => {
    const at = now();
    const { next } = stmt<{ next: number }>(
      db,
      'SELECT coalesce(max(stepnr), 0) + 1 AS next FROM build_steps WHERE build_id = ?',
    ).get(s.buildId)!;
    stmt(
      db,
      `INSERT INTO build_steps (build_id, stepnr, type, drvpath, busy, starttime, machine, system, logfile)
              VALUES (?, ?, 0, ?, ?, ?, ?, ?, ?)`,
    ).run(s.buildId, next, s.drvPath, s.phase ?? 1, at, s.machine, s.system, s.logfileFor(next));
    stmt(db, 'UPDATE builds SET starttime = coalesce(starttime, ?) WHERE id = ?').run(at, s.buildId);
    return next;
  });
}

/** Hydra's step phases, shown while a step is busy. */
export const StepPhase = {
  Connecting: 10,
  SendingInputs: 20,
  Building: 30,
  ReceivingOutputs: 40,
  PostProcessing: 50,
} as const;

export function setStepPhase(db: Db, buildId: number, stepnr: number, phase: number): void {
  stmt(db, 'UPDATE build_steps SET busy = ? WHERE build_id = ? AND stepnr = ? AND busy != 0').run(
    phase,
    buildId,
    stepnr,
  );
}

export interface StepEnd {
  status: number;
  errormsg: string | null;
  /** Output name → path; recorded for failures too, so a restart knows what to un-cache. */
  outputs: Record<string, string>;
  /** The log's final name (compressed) relative to the state dir, if it moved. */
  logfile?: string;
}

export function finishStep(db: Db, buildId: number, stepnr: number, end: StepEnd): void {
  writeTransaction(db, () => {
    stmt(
      db,
      `UPDATE build_steps SET busy = 0, status = ?, errormsg = ?, stoptime = ?, logfile = coalesce(?, logfile)
        WHERE build_id = ? AND stepnr = ?`,
    ).run(end.status, end.errormsg, now(), end.logfile ?? null, buildId, stepnr);
    for (const [name, path] of Object.entries(end.outputs)) {
      stmt(db, 'INSERT OR REPLACE INTO build_step_outputs (build_id, stepnr, name, path) VALUES (?, ?, ?, ?)').run(
        buildId,
        stepnr,
        name,
        path,
      );
    }
  });
}

/** Derivations of a build's steps that ended in a failure, whether run here or propagated. */
export function failedStepDrvs(db: Db, buildId: number): { drvpath: string; propagatedfrom: number | null }[] {
  return stmt<{ drvpath: string; propagatedfrom: number | null }>(
    db,
    `SELECT DISTINCT drvpath, propagatedfrom FROM build_steps
    WHERE build_id = ? AND busy = 0 AND status IS NOT NULL
      AND status NOT IN (${sqlList([BuildStatus.Success, BuildStatus.Aborted, BuildStatus.Cancelled])})
      AND drvpath IS NOT NULL`,
  ).all(buildId);
}

/** Names a step's log file anew (compressed after the step ended). */
export function setStepLogfile(db: Db, buildId: number, stepnr: number, logfile: string): void {
  stmt(db, 'UPDATE build_steps SET logfile = ? WHERE build_id = ? AND stepnr = ?').run(logfile, buildId, stepnr);
}
