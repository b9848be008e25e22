import { fireSchedule, markScheduleChecked, scheduledJobsets } from '../core/db/jobset-schedules.ts';
import type { Db } from '../core/db/database.ts';
import { scheduledBetween } from '../core/schedule.ts';

/**
 * Asks for an evaluation of every jobset whose schedule named a time since the evaluator
 * last looked (at most once however many times passed). A schedule seen for the first time
 * counts from now. Looks only when a new minute began, so a tick every few seconds writes
 * nothing in between. Returns the ids of the jobsets it asked for.
 */
export function fireDueSchedules(db: Db, at: number): number[] {
  const fired: number[] = [];
  for (const j of scheduledJobsets(db)) {
    if (j.schedulecheckedtime === null) {
      markScheduleChecked(db, j.id, at);
    } else if (Math.floor(at / 60) > Math.floor(j.schedulecheckedtime / 60)) {
      if (scheduledBetween(j.schedule, j.schedulecheckedtime, at)) {
        fireSchedule(db, j.id, at);
        fired.push(j.id);
      } else {
        markScheduleChecked(db, j.id, at);
      }
    }
  }
  return fired;
}
