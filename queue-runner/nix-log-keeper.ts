import { keepNixLogs } from '../core/nix/log-dir.ts';

/** Logs written at once, at most. */
const BATCH = 64;
/** How long a finished step's log waits for others to be written with it. */
const DELAY_MS = 200;

/**
 * Keeps step logs where Nix keeps build logs (keepNixLogs), a batch at a time: one process
 * per step cost the queue runner more CPU than the rest of the step's bookkeeping.
 */
export class NixLogKeeper {
  private pending: { plainLog: string; drvPath: string; resolve: () => void; reject: (e: Error) => void }[] = [];
  private timer: NodeJS.Timeout | null = null;

  keep(plainLog: string, drvPath: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ plainLog, drvPath, resolve, reject });
      if (this.pending.length >= BATCH) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), DELAY_MS);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    keepNixLogs(batch).then(
      (failed) => {
        for (const b of batch) {
          if (failed.has(b.plainLog)) b.reject(new Error(`bzip2 could not write the log of ${b.drvPath}`));
          else b.resolve();
        }
      },
      (e: Error) => {
        for (const b of batch) b.reject(e);
      },
    );
  }
}
