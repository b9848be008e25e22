import { now, stmt, type Db } from './database.ts';

/**
 * Requests from the server to the queue runner. The server never changes a build's status
 * itself; it leaves a row here and the queue runner carries it out and marks it handled.
 */
export type QueueCommandKind = 'restart' | 'cancel' | 'bump' | 'restart-failed-of-eval';

export function requestBuildCommand(db: Db, kind: Exclude<QueueCommandKind, 'restart-failed-of-eval'>, buildId: number, username: string): number {
  return Number(stmt(db, 'INSERT INTO queue_commands (kind, build_id, username, created) VALUES (?, ?, ?, ?)')
    .run(kind, buildId, username, now()).lastInsertRowid);
}

export function requestRestartFailedOfEval(db: Db, evalId: number, username: string): number {
  return Number(stmt(db, `INSERT INTO queue_commands (kind, eval_id, username, created) VALUES ('restart-failed-of-eval', ?, ?, ?)`)
    .run(evalId, username, now()).lastInsertRowid);
}

/** `keep` protects a build's outputs from garbage collection; it has no effect on the queue, so the server sets it. */
export function setBuildKeep(db: Db, buildId: number, keep: boolean): void {
  stmt(db, 'UPDATE builds SET keep = ? WHERE id = ?').run(keep ? 1 : 0, buildId);
}

