import { now } from '../../core/db/database.ts';
import { nextScheduledRun, SCHEDULE_TIMEZONE } from '../../core/schedule.ts';

/** A jobset's schedule for its page: the expression and when it next starts an evaluation. */
export function scheduleView(expression: string): { expression: string; timezone: string; next: number | null } | null {
  if (!expression) return null;
  return { expression, timezone: SCHEDULE_TIMEZONE, next: nextScheduledRun(expression, now()) };
}
