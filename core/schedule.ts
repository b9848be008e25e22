import cron from 'node-cron';

/**
 * A jobset's `schedule`: a cron expression (five fields, minute to day of week, in UTC)
 * read by node-cron, beside `checkinterval`: at each time it names the jobset is evaluated,
 * even when no input changed (a nightly evaluation). Evaluations are started by the
 * evaluator's tick, so the finest step is a minute; node-cron's optional seconds field is
 * refused rather than silently rounded.
 */
export const SCHEDULE_TIMEZONE = 'UTC';
const MINUTE = 60;
/** How far back a missed time is still caught up (the evaluator was down), and how far ahead a page looks. */
export const SCHEDULE_WINDOW_SECONDS = 31 * 24 * 3600;

/** Why `expr` is not a schedule, or null if it is one. */
export function scheduleProblem(expr: string): string | null {
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5) {
    return (
      `a schedule is a cron expression of five fields (minute hour day-of-month month ` +
      `day-of-week), got ${fields.length}`
    );
  }
  const check = cron.validateDetailed(expr);
  if (!check.valid)
    return check.errors.map((e) => `${e.field}: ${e.message}`).join('; ') || 'not a valid cron expression';
  return null;
}

const HOUR = 3600;

/**
 * The times in (after, until] the schedule names, earliest first. node-cron's own matcher
 * decides (day-of-month against day-of-week included); its parsed fields only skip hours
 * that cannot match, so a month is a few thousand checks, not 44,640.
 */
function* scheduledTimes(expr: string, after: number, until: number): Generator<number> {
  const fields = cron.parse(expr);
  const hours = new Set(fields.hour);
  const months = new Set(fields.month);
  const minutes = [...new Set(fields.minute)].sort((x, y) => x - y);
  const task = cron.createTask(expr, () => {}, { timezone: SCHEDULE_TIMEZONE });
  try {
    for (let hour = Math.floor(after / HOUR) * HOUR; hour <= until; hour += HOUR) {
      const d = new Date(hour * 1000);
      if (!hours.has(d.getUTCHours()) || !months.has(d.getUTCMonth() + 1)) continue;
      for (const m of minutes) {
        const t = hour + m * MINUTE;
        if (t > after && t <= until && task.match(new Date(t * 1000))) yield t;
      }
    }
  } finally {
    // createTask registers the task with node-cron; it was never started, this forgets it.
    void task.destroy();
  }
}

/** Whether a time the schedule names lies in (afterSeconds, untilSeconds], looking back at most a month. */
export function scheduledBetween(expr: string, afterSeconds: number, untilSeconds: number): boolean {
  const from = Math.max(afterSeconds, untilSeconds - SCHEDULE_WINDOW_SECONDS);
  return !scheduledTimes(expr, from, untilSeconds).next().done;
}

/** The next time the schedule names after `fromSeconds`, within a month, or null. */
export function nextScheduledRun(expr: string, fromSeconds: number): number | null {
  const next = scheduledTimes(expr, fromSeconds, fromSeconds + SCHEDULE_WINDOW_SECONDS).next();
  return next.done ? null : next.value;
}
