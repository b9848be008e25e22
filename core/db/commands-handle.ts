import type { QueueCommandRow } from '../model/rows.ts';
import { now, stmt, type Db } from './database.ts';

export type { QueueCommandRow };

/** Requests the server left for the queue runner, oldest first. */
export function pendingCommands(db: Db): QueueCommandRow[] {
  return stmt<QueueCommandRow>(db, 'SELECT * FROM queue_commands WHERE handled IS NULL ORDER BY id').all();
}

/** Marks a request carried out (or refused), with a sentence saying which. */
export function markCommandHandled(db: Db, id: number, result: string): void {
  stmt(db, 'UPDATE queue_commands SET handled = ?, result = ? WHERE id = ? AND handled IS NULL').run(now(), result, id);
}
