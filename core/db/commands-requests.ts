import { now, stmt, type Db } from './database.ts';

/**
 * Requests from the server to the queue runner. The server never changes a build's status
 * itself; it leaves a row here and the queue runner carries it out and marks it handled.
 */
export type BuildCommandKind = 'restart' | 'cancel' | 'bump';
/**
 * Hydra's actions on a whole evaluation: restart failed (not 0) or aborted (3, 4, 9) builds, cancel
 * or bump its unfinished ones.
 */
export type EvalCommandKind = 'restart-failed-of-eval' | 'restart-aborted-of-eval' | 'cancel-eval' | 'bump-eval';

export function requestBuildCommand(db: Db, kind: BuildCommandKind, buildId: number, username: string): number {
  return Number(
    stmt(db, 'INSERT INTO queue_commands (kind, build_id, username, created) VALUES (?, ?, ?, ?)').run(
      kind,
      buildId,
      username,
      now(),
    ).lastInsertRowid,
  );
}

export function requestEvalCommand(db: Db, kind: EvalCommandKind, evalId: number, username: string): number {
  return Number(
    stmt(db, 'INSERT INTO queue_commands (kind, eval_id, username, created) VALUES (?, ?, ?, ?)').run(
      kind,
      evalId,
      username,
      now(),
    ).lastInsertRowid,
  );
}

/** `keep` protects a build's outputs from garbage collection; it has no effect on the queue, so the server sets it. */
export function setBuildKeep(db: Db, buildId: number, keep: boolean): void {
  stmt(db, 'UPDATE builds SET keep = ? WHERE id = ?').run(keep ? 1 : 0, buildId);
}
