/**
 * At most one pending call of a function, at once or after a delay. The queue runner's tick
 * schedules its own follow-up while a big queue is being taken in, and the interval starts
 * ticks too: when each tick scheduled one more, n seconds made n chains of follow-ups, and
 * the queue was taken in n times faster than its pace, taking the CPU from the builds.
 */
export class FollowUp {
  private pending: { cancel: () => void } | null = null;

  constructor(private readonly fn: () => void) {}

  /** Schedules the call unless one is pending: on the next turn of the event loop, or after `delayMs`. */
  schedule(delayMs: number | 'now'): void {
    if (this.pending) return;
    const run = () => {
      this.pending = null;
      this.fn();
    };
    if (delayMs === 'now') {
      const immediate = setImmediate(run);
      this.pending = { cancel: () => clearImmediate(immediate) };
    } else {
      const timer = setTimeout(run, delayMs).unref();
      this.pending = { cancel: () => clearTimeout(timer) };
    }
  }

  cancel(): void {
    this.pending?.cancel();
    this.pending = null;
  }
}
