import { stmt, type Db } from './database.ts';

export interface ScheduledJobset {
  id: number;
  schedule: string;
  schedulecheckedtime: number | null;
}

/** Jobsets with a schedule that may be evaluated (enabled, in an enabled project, with a valid spec). */
export function scheduledJobsets(db: Db): ScheduledJobset[] {
  return stmt<ScheduledJobset>(
    db,
    `SELECT j.id, j.schedule, j.schedulecheckedtime FROM jobsets j JOIN projects p ON p.name = j.project
                   WHERE j.schedule != '' AND j.enabled != 0 AND p.enabled = 1 AND j.spec_error IS NULL`,
  ).all();
}

export function markScheduleChecked(db: Db, jobsetId: number, at: number): void {
  stmt(db, 'UPDATE jobsets SET schedulecheckedtime = ? WHERE id = ?').run(at, jobsetId);
}

/**
 * A scheduled time came: the jobset is asked for (as a push would), and its inputs hash is
 * forgotten so that the check records a new evaluation even when no input changed.
 */
export function fireSchedule(db: Db, jobsetId: number, at: number): void {
  stmt(
    db,
    `UPDATE jobsets SET triggertime = COALESCE(triggertime, @at), lastinputshash = NULL, schedulecheckedtime = @at
            WHERE id = @id`,
  ).run({ id: jobsetId, at });
}
