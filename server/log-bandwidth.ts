import { Transform } from 'node:stream';

/**
 * The bytes per second that all log answers of one server process share (raw logs, gzipped
 * or not, and pretty pages). Anyone may ask for a big log again and again; without a bound,
 * a crowd doing so takes every core the server gets from the builds (bench/stall: 32 readers
 * pulled 900 MB/s and slowed a chain of builds by 1.3–2×). One reader alone still gets all of
 * it. A chunk may overdraw the budget; the next waits until it is paid back, so chunks of any
 * size pass and the rate holds over time.
 */
export class LogBandwidth {
  private balance = 0;
  private last = performance.now();

  constructor(private readonly bytesPerSecond: number) {}

  /** Resolves once `bytes` may go out (at once when unbounded or under budget). */
  async take(bytes: number): Promise<void> {
    if (this.bytesPerSecond <= 0) return;
    for (;;) {
      const now = performance.now();
      // Unused budget is kept for a tenth of a second at most: an idle server grants no burst.
      this.balance = Math.min(
        this.bytesPerSecond / 10,
        this.balance + ((now - this.last) / 1000) * this.bytesPerSecond,
      );
      this.last = now;
      if (this.balance >= 0) {
        this.balance -= bytes;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.ceil((-this.balance / this.bytesPerSecond) * 1000)));
    }
  }

  /** A stream stage that lets bytes through at the shared rate. */
  stage(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _encoding, done) => {
        this.take(chunk.length).then(() => done(null, chunk), done);
      },
    });
  }
}
