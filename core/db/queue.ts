import { now, stmt, writeTransaction, type Db } from './database.ts';
import type { BuildRow } from '../model/rows.ts';
import { BuildStatus } from '../model/status.ts';

/**
 * Steps left busy by a queue runner that died (SIGKILL, power loss) are marked aborted so
 * nothing stays "running" forever; their builds are still unfinished, so they run again.
 */
export function recoverInterruptedSteps(db: Db): number {
  return stmt(db, `UPDATE build_steps SET busy = 0, status = ${BuildStatus.Aborted}, stoptime = ?,
                     errormsg = 'interrupted: the queue runner stopped while this step ran; the build was re-queued'
                   WHERE busy != 0`).run(now()).changes;
}

/** The queue in the order it is served: bumped builds first, then job priority, then age. */
export function nextQueuedBuilds(db: Db, limit: number): BuildRow[] {
  return stmt(db, `SELECT * FROM builds WHERE finished = 0 ORDER BY globalpriority DESC, priority DESC, id LIMIT ?`).all(limit) as BuildRow[];
}

/** Opens a busy step; its log file name is derived from the step number it gets. */
export function startStep(db: Db, s: { buildId: number; drvPath: string; machine: string; system: string; logfileFor: (stepnr: number) => string }): number {
  return writeTransaction(db, () => {
    const at = now();
    const { next } = stmt(db, 'SELECT coalesce(max(stepnr), 0) + 1 AS next FROM build_steps WHERE build_id = ?').get(s.buildId) as { next: number };
    stmt(db, `INSERT INTO build_steps (build_id, stepnr, type, drvpath, busy, starttime, machine, system, logfile)
              VALUES (?, ?, 0, ?, 1, ?, ?, ?, ?)`).run(s.buildId, next, s.drvPath, at, s.machine, s.system, s.logfileFor(next));
    stmt(db, 'UPDATE builds SET starttime = coalesce(starttime, ?) WHERE id = ?').run(at, s.buildId);
    return next;
  });
}

export interface StepResult {
  status: number;
  errormsg: string | null;
  outputs: Record<string, string>;
}

export interface ProductRecord {
  type: string;
  subtype: string;
  path: string;
  name: string;
  defaultpath: string | null;
  filesize: number | null;
  sha256hash: string | null;
}

export interface BuildResult {
  status: number;
  isCachedBuild: boolean;
  startTime: number;
  stopTime: number;
  size: number | null;
  closureSize: number | null;
  releaseName: string | null;
  products: ProductRecord[];
  metrics: { name: string; value: number; unit: string | null }[];
}

/**
 * Ends a step and, when given, its build, in one transaction together with the outbox row
 * that announces the build's result: a notification exists exactly when the status does.
 */
export function finishStepAndBuild(db: Db, buildId: number, step: { stepnr: number; result: StepResult } | null, build: BuildResult | null): void {
  writeTransaction(db, () => {
    const at = now();
    if (step) {
      stmt(db, 'UPDATE build_steps SET busy = 0, status = ?, errormsg = ?, stoptime = ? WHERE build_id = ? AND stepnr = ?')
        .run(step.result.status, step.result.errormsg, at, buildId, step.stepnr);
      for (const [name, path] of Object.entries(step.result.outputs)) {
        stmt(db, 'INSERT OR REPLACE INTO build_step_outputs (build_id, stepnr, name, path) VALUES (?, ?, ?, ?)').run(buildId, step.stepnr, name, path);
      }
    }
    if (build) finishBuildInTransaction(db, buildId, build, at);
  });
}

function finishBuildInTransaction(db: Db, buildId: number, b: BuildResult, at: number): void {
  const changed = stmt(db, `UPDATE builds SET finished = 1, buildstatus = ?, iscachedbuild = ?, starttime = ?, stoptime = ?,
                              size = ?, closuresize = ?, releasename = ?, notificationpendingsince = ?
                            WHERE id = ? AND finished = 0`)
    .run(b.status, b.isCachedBuild ? 1 : 0, b.startTime, b.stopTime, b.size, b.closureSize, b.releaseName, at, buildId).changes;
  if (changed === 0) return; // cancelled or finished meanwhile: the first result stands
  stmt(db, 'DELETE FROM build_products WHERE build_id = ?').run(buildId);
  b.products.forEach((p, i) => {
    stmt(db, `INSERT INTO build_products (build_id, productnr, type, subtype, filesize, sha256hash, path, name, defaultpath)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(buildId, i + 1, p.type, p.subtype, p.filesize, p.sha256hash, p.path, p.name, p.defaultpath);
  });
  const build = stmt(db, 'SELECT jobset_id, job FROM builds WHERE id = ?').get(buildId) as { jobset_id: number; job: string };
  for (const m of b.metrics) {
    stmt(db, `INSERT OR REPLACE INTO build_metrics (build_id, name, unit, value, jobset_id, job, timestamp) VALUES (?, ?, ?, ?, ?, ?, ?)`)
      .run(buildId, m.name, m.unit, m.value, build.jobset_id, build.job, b.stopTime);
  }
  stmt(db, `INSERT INTO outbox (kind, build_id, payload, created, next_attempt) VALUES ('build-finished', ?, ?, ?, ?)`)
    .run(buildId, JSON.stringify({ status: b.status }), at, at);
}

export function isFailedPath(db: Db, path: string): boolean {
  return stmt(db, 'SELECT 1 FROM failed_paths WHERE path = ?').get(path) !== undefined;
}

export function addFailedPaths(db: Db, paths: readonly string[]): void {
  for (const p of paths) stmt(db, 'INSERT OR IGNORE INTO failed_paths (path) VALUES (?)').run(p);
}
