import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * For a long loop on a role's own thread (the queue runner dispatches between its turns):
 * `if (slice.due()) await slice.pause();` gives the event loop a turn once `ms` of work has
 * passed since the last. The clock is read every `every` calls: reading it per item of a
 * 300,000-item loop would cost more than the items.
 */
export class TimeSlice {
  private began = performance.now();
  private calls = 0;

  constructor(
    private readonly ms = 5,
    private readonly every = 256,
  ) {}

  due(): boolean {
    return ++this.calls % this.every === 0 && performance.now() - this.began >= this.ms;
  }

  async pause(): Promise<void> {
    await nextTurn();
    this.began = performance.now();
  }
}
