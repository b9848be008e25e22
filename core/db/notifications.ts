import { now, stmt, writeTransaction, type Db } from './database.ts';
import { BuildStatus } from '../model/status.ts';

/**
 * The notifier's use of the outbox. 'build-finished' rows (written by the queue runner with
 * the status) are events: each becomes at most one notification_changes row, and `sent`
 * marks the event handled. 'email' and 'webhook' rows (written here) are deliveries: `sent`
 * is set only once the receiving server accepted them.
 */
export interface BuildEvent {
  id: number;
  build_id: number;
  payload: string;
  created: number;
}

export interface NewChange {
  evalId: number | null;
  buildId: number;
  oldStatus: number | null;
  newStatus: number;
  previousBuild: number | null;
}

export interface NewDelivery {
  kind: 'email' | 'webhook';
  recipient: string;
  payload: unknown;
}

export function pendingBuildEvents(db: Db, limit: number): BuildEvent[] {
  return stmt<BuildEvent>(
    db,
    `SELECT id, build_id, payload, created FROM outbox
                   WHERE kind = 'build-finished' AND build_id IS NOT NULL AND sent IS NULL ORDER BY id LIMIT ?`,
  ).all(limit);
}

/** The evaluation a build is reported with: the one that created it, else the first that has it. */
export function evalOfBuild(db: Db, buildId: number): number | null {
  const row = stmt<{ eval_id: number }>(
    db,
    'SELECT eval_id FROM jobset_eval_members WHERE build_id = ? ORDER BY isnew DESC, eval_id LIMIT 1',
  ).get(buildId);
  return row?.eval_id ?? null;
}

/** Marks an event handled and records its change, if it is one, in one transaction. */
export function recordBuildEvent(db: Db, eventId: number, change: NewChange | null): void {
  writeTransaction(db, () => {
    const handled = stmt(db, 'UPDATE outbox SET sent = ?, attempts = attempts + 1 WHERE id = ? AND sent IS NULL').run(
      now(),
      eventId,
    ).changes;
    if (handled === 0 || !change) return;
    stmt(
      db,
      `INSERT INTO notification_changes (outbox_id, eval_id, build_id, old_status, new_status, previous_build, created)
              VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(eventId, change.evalId, change.buildId, change.oldStatus, change.newStatus, change.previousBuild, now());
  });
}

/** Evaluations with changes not yet mailed, with when the oldest of them was recorded. */
export function evalsWithWaitingChanges(db: Db): { eval_id: number | null; oldest: number }[] {
  return stmt<{ eval_id: number | null; oldest: number }>(
    db,
    `SELECT eval_id, min(created) AS oldest FROM notification_changes WHERE batched IS NULL
                   GROUP BY eval_id ORDER BY eval_id`,
  ).all();
}

/** Every build of the evaluation has finished and every such finish has been looked at. */
export function evalFullyReported(db: Db, evalId: number): boolean {
  const row = stmt<{ busy: number }>(
    db,
    `SELECT EXISTS (SELECT 1 FROM jobset_eval_members m JOIN builds b ON b.id = m.build_id
                                       WHERE m.eval_id = ? AND b.finished = 0)
                            OR EXISTS (SELECT 1 FROM jobset_eval_members m JOIN outbox o ON o.build_id = m.build_id
                                       WHERE m.eval_id = ? AND o.kind = 'build-finished' AND o.sent IS NULL) AS busy`,
  ).get(evalId, evalId)!;
  return row.busy === 0;
}

export interface WaitingChange {
  outbox_id: number;
  eval_id: number | null;
  build_id: number;
  old_status: number | null;
  new_status: number;
  previous_build: number | null;
  job: string;
  system: string;
  drvpath: string;
  maintainers: string | null;
  jobset_id: number;
}

export function waitingChanges(db: Db, evalId: number | null): WaitingChange[] {
  return stmt<WaitingChange>(
    db,
    `SELECT c.outbox_id, c.eval_id, c.build_id, c.old_status, c.new_status, c.previous_build,
                          b.job, b.system, b.drvpath, b.maintainers, b.jobset_id
                   FROM notification_changes c JOIN builds b ON b.id = c.build_id
                   WHERE c.batched IS NULL AND c.eval_id IS ? ORDER BY b.job, b.system`,
  ).all(evalId);
}

/**
 * Marks changes as mailed and queues their deliveries in one transaction: a crash before it
 * leaves the changes waiting (composed again next time), after it the deliveries exist.
 * Returns false, queuing nothing, when another notifier took any of them first.
 */
export function queueBatch(db: Db, changeIds: readonly number[], deliveries: readonly NewDelivery[]): boolean {
  try {
    return queueBatchOrThrow(db, changeIds, deliveries);
  } catch (e) {
    if (e instanceof BatchTaken) return false;
    throw e;
  }
}

function queueBatchOrThrow(db: Db, changeIds: readonly number[], deliveries: readonly NewDelivery[]): boolean {
  return writeTransaction(db, () => {
    const at = now();
    for (const id of changeIds) {
      if (
        stmt(db, 'UPDATE notification_changes SET batched = ? WHERE outbox_id = ? AND batched IS NULL').run(at, id)
          .changes === 0
      ) {
        throw new BatchTaken();
      }
    }
    insertDeliveries(db, deliveries, at);
    return true;
  });
}

class BatchTaken extends Error {}

export function insertDeliveries(db: Db, deliveries: readonly NewDelivery[], at = now()): void {
  for (const d of deliveries) {
    stmt(db, 'INSERT INTO outbox (kind, recipient, payload, created, next_attempt) VALUES (?, ?, ?, ?, ?)').run(
      d.kind,
      d.recipient,
      JSON.stringify(d.payload),
      at,
      at,
    );
  }
}

export interface Delivery {
  id: number;
  kind: 'email' | 'webhook';
  recipient: string;
  payload: string;
  created: number;
  attempts: number;
}

export function dueDeliveries(db: Db, kind: 'email' | 'webhook', at: number, limit: number): Delivery[] {
  return stmt<Delivery>(
    db,
    `SELECT id, kind, recipient, payload, created, attempts FROM outbox
                   WHERE kind = ? AND recipient IS NOT NULL AND sent IS NULL AND next_attempt <= ?
                     ORDER BY next_attempt, id LIMIT ?`,
  ).all(kind, at, limit);
}

export function markDelivered(db: Db, id: number): void {
  stmt(db, 'UPDATE outbox SET sent = ?, attempts = attempts + 1, last_error = NULL WHERE id = ? AND sent IS NULL').run(
    now(),
    id,
  );
}

export function markDeliveryFailed(db: Db, id: number, error: string, nextAttempt: number): void {
  stmt(
    db,
    'UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt = ? WHERE id = ? AND sent IS NULL',
  ).run(error.slice(0, 2000), nextAttempt, id);
}

export interface UndeliveredRow {
  id: number;
  kind: string;
  recipient: string | null;
  build_id: number | null;
  created: number;
  attempts: number;
  next_attempt: number;
  last_error: string | null;
  payload: string;
}

/** What has not gone out yet, oldest first (the admin page). */
export function undelivered(db: Db, limit: number, offset: number): UndeliveredRow[] {
  return stmt<UndeliveredRow>(
    db,
    `SELECT id, kind, recipient, build_id, created, attempts, next_attempt, last_error, payload FROM outbox
                   WHERE sent IS NULL ORDER BY id LIMIT ? OFFSET ?`,
  ).all(limit, offset);
}

export function countUndelivered(db: Db): { total: number; failing: number } {
  return stmt<{ total: number; failing: number }>(
    db,
    `SELECT count(*) AS total, coalesce(sum(last_error IS NOT NULL), 0) AS failing FROM outbox WHERE sent IS NULL`,
  ).get()!;
}

/** The step that made a build fail: its log file and, for a dependency, the build it ran in. */
export function failingStep(
  db: Db,
  buildId: number,
): { drvpath: string | null; logfile: string | null; propagatedfrom: number | null } | undefined {
  return stmt<{ drvpath: string | null; logfile: string | null; propagatedfrom: number | null }>(
    db,
    `SELECT drvpath, logfile, propagatedfrom FROM build_steps
                   WHERE build_id = ? AND busy = 0 AND status IS NOT NULL
                     AND status NOT IN (${BuildStatus.Success}, ${BuildStatus.Aborted}, ${BuildStatus.Cancelled})
                   ORDER BY stepnr DESC LIMIT 1`,
  ).get(buildId);
}

/** The newest build of a derivation in a jobset (the job a failing dependency belongs to). */
export function jobsetBuildOfDrv(
  db: Db,
  jobsetId: number,
  drvpath: string,
): { id: number; job: string; system: string } | undefined {
  return stmt<{ id: number; job: string; system: string }>(
    db,
    'SELECT id, job, system FROM builds WHERE jobset_id = ? AND drvpath = ? ORDER BY id DESC LIMIT 1',
  ).get(jobsetId, drvpath);
}

export function buildJobStatus(
  db: Db,
  buildId: number,
): { job: string; system: string; drvpath: string; buildstatus: number | null } | undefined {
  return stmt<{ job: string; system: string; drvpath: string; buildstatus: number | null }>(
    db,
    'SELECT job, system, drvpath, buildstatus FROM builds WHERE id = ?',
  ).get(buildId);
}

/** A delivery that will not be made (its recipient unsubscribed meanwhile): done, with the reason kept. */
export function markDeliverySkipped(db: Db, id: number, reason: string): void {
  stmt(db, 'UPDATE outbox SET sent = ?, last_error = ? WHERE id = ? AND sent IS NULL').run(now(), reason, id);
}
