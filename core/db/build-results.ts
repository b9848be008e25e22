import { now, stmt, writeTransaction, type Db } from './database.ts';
import type { QueuedBuildRow } from '../model/rows.ts';
import { BuildStatus } from '../model/status.ts';
import type { CoverageRecord } from '../coverage/build-coverage.ts';
import { recordCoverage } from './coverage.ts';
import { recordScreenshots, type ScreenshotRecord } from './screenshots.ts';

/**
 * Steps left busy by a queue runner that died (SIGKILL, power loss) are marked aborted so
 * nothing stays "running" forever; their builds are still unfinished, so they run again.
 */
export function recoverInterruptedSteps(db: Db): number {
  return stmt(
    db,
    `UPDATE build_steps SET busy = 0, status = ${BuildStatus.Aborted}, stoptime = ?,
                     errormsg = 'interrupted: the queue runner stopped while this step ran; the build was re-queued'
                   WHERE busy != 0`,
  ).run(now()).changes;
}

/**
 * The ids of every unfinished build, in the order the queue serves them when nothing else
 * decides, and the newest build id at that moment (one snapshot). Ids only, from the queue's
 * index: with 100,000 builds queued this is what start-up can afford before the first step
 * runs; the rows are read a batch at a time.
 */
export function queuedBuildIds(db: Db): { ids: number[]; newestId: number } {
  return db.transaction(() => ({
    newestId: stmt<{ n: number }>(db, 'SELECT coalesce(max(id), 0) AS n FROM builds').get()!.n,
    ids: stmt<{ id: number }>(
      db,
      'SELECT id FROM builds WHERE finished = 0 ORDER BY globalpriority DESC, priority DESC, id',
    )
      .all()
      .map((r) => r.id),
  }))();
}

/**
 * Builds added after `id` (ids only grow), oldest first: what the evaluator queued since.
 * By id range, not through the queue's index, so it reads only the new rows.
 */
export function buildsAfter(db: Db, id: number): { id: number; finished: number }[] {
  return stmt<{ id: number; finished: number }>(db, 'SELECT id, finished FROM builds WHERE id > ? ORDER BY id').all(id);
}

/**
 * Those of these builds that are still unfinished, in the order given; one query for a batch.
 * Only the columns the queue runner keeps: rows of every column (over 30) are dictionary-mode
 * objects of about 1.5 kB each in V8, and a 100,000-build queue made 150 MB of them; rows of
 * these ten are ordinary fast objects, kept as they are.
 */
export function unfinishedBuildsOf(db: Db, ids: readonly number[]): QueuedBuildRow[] {
  return stmt<QueuedBuildRow>(
    db,
    `SELECT b.id, b.jobset_id, b.job, b.drvpath, b.system, b.priority, b.globalpriority, b.starttime, b.timeout,
       b.maxsilent
     FROM json_each(?) AS i CROSS JOIN builds b ON b.id = i.value WHERE +b.finished = 0 ORDER BY i.key`,
  ).all(JSON.stringify(ids));
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
  /** Coverage merged from the lcov products and the screenshots compared (issue 13). */
  evidence?: { coverage: CoverageRecord | null; screenshots: ScreenshotRecord[] };
}

/** A finished step recorded in a build that did not run it (Hydra's propagated steps). */
export interface CopiedStep {
  drvPath: string;
  status: number;
  errormsg: string | null;
  machine: string;
  system: string;
  logfile: string | null;
  /** The build in whose steps the step actually ran. */
  propagatedFrom: number | null;
  startTime: number | null;
}

/**
 * Ends a build — with, when given, the step row that explains it — in one transaction with
 * the outbox row that announces the result: a notification exists exactly when the status
 * does. A build finished meanwhile (cancelled) keeps its first result; returns false then.
 */
export function finishBuild(db: Db, buildId: number, result: BuildResult, step: CopiedStep | null = null): boolean {
  return writeTransaction(db, () => finishBuildInTransaction(db, buildId, result, step));
}

function finishBuildInTransaction(db: Db, buildId: number, b: BuildResult, step: CopiedStep | null): boolean {
  const at = now();
  const changed = stmt(
    db,
    `UPDATE builds SET finished = 1, buildstatus = ?, iscachedbuild = ?, starttime = coalesce(starttime, ?),
                              stoptime = ?, size = ?, closuresize = ?, releasename = ?, notificationpendingsince = ?
                            WHERE id = ? AND finished = 0`,
  ).run(
    b.status,
    b.isCachedBuild ? 1 : 0,
    b.startTime,
    b.stopTime,
    b.size,
    b.closureSize,
    b.releaseName,
    at,
    buildId,
  ).changes;
  if (changed === 0) return false;
  if (step) {
    const { next } = stmt<{ next: number }>(
      db,
      'SELECT coalesce(max(stepnr), 0) + 1 AS next FROM build_steps WHERE build_id = ?',
    ).get(buildId)!;
    stmt(
      db,
      `INSERT INTO build_steps (build_id, stepnr, type, drvpath, busy, status, errormsg, starttime, stoptime, machine,
        system, propagatedfrom, logfile)
              VALUES (?, ?, 0, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      buildId,
      next,
      step.drvPath,
      step.status,
      step.errormsg,
      step.startTime ?? at,
      at,
      step.machine,
      step.system,
      step.propagatedFrom,
      step.logfile,
    );
  }
  stmt(db, 'DELETE FROM build_products WHERE build_id = ?').run(buildId);
  b.products.forEach((p, i) => {
    stmt(
      db,
      `INSERT INTO build_products (build_id, productnr, type, subtype, filesize, sha256hash, path, name, defaultpath)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(buildId, i + 1, p.type, p.subtype, p.filesize, p.sha256hash, p.path, p.name, p.defaultpath);
  });
  if (b.evidence?.coverage) recordCoverage(db, buildId, b.evidence.coverage);
  if (b.evidence) recordScreenshots(db, buildId, b.evidence.screenshots);
  const build = stmt<{ jobset_id: number; job: string; system: string }>(
    db,
    'SELECT jobset_id, job, system FROM builds WHERE id = ?',
  ).get(buildId)!;
  for (const m of b.metrics) {
    stmt(
      db,
      `INSERT OR REPLACE INTO build_metrics (build_id, name, unit, value, jobset_id, job, timestamp)
        VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(buildId, m.name, m.unit, m.value, build.jobset_id, build.job, b.stopTime);
  }
  stmt(
    db,
    `INSERT INTO outbox (kind, build_id, payload, created, next_attempt) VALUES ('build-finished', ?, ?, ?, ?)`,
  ).run(buildId, JSON.stringify({ status: b.status, previous: previousResult(db, buildId, build) }), at, at);
  return true;
}

/**
 * The build this one is compared with for notifications, fixed when the status is: the
 * previous finished build of the same job and system in the jobset, skipping aborted and
 * cancelled ones (Hydra #26), so a later restart of that build does not change the answer.
 */
function previousResult(
  db: Db,
  buildId: number,
  b: { jobset_id: number; job: string; system: string },
): { id: number; status: number } | null {
  const row = stmt<{ id: number; buildstatus: number }>(
    db,
    `SELECT id, buildstatus FROM builds
    WHERE jobset_id = ? AND job = ? AND finished = 1 AND id < ? AND system = ?
      AND buildstatus IS NOT NULL AND buildstatus NOT IN (${BuildStatus.Aborted}, ${BuildStatus.Cancelled})
        ORDER BY id DESC LIMIT 1`,
  ).get(b.jobset_id, b.job, buildId, b.system);
  return row ? { id: row.id, status: row.buildstatus } : null;
}

/** A result with nothing but a status, for builds that end without outputs. */
export function bareResult(status: number, startTime: number, isCached = false): BuildResult {
  return {
    status,
    isCachedBuild: isCached,
    startTime,
    stopTime: now(),
    size: null,
    closureSize: null,
    releaseName: null,
    products: [],
    metrics: [],
  };
}
