import {
  createReadStream,
  createWriteStream,
  mkdirSync,
  readFileSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
  type WriteStream,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';

/** Logs up to this size are compressed in memory (a millisecond at most). */
const SMALL_LOG_BYTES = 64 * 1024;

/**
 * A step's log: plain text growing at STATE_DIR/<logfile> while the step runs (the server
 * tails it), compressed to <logfile>.gz when it ends. Stops writing past `limit` bytes.
 * A disk that is full or failing (ENOSPC, EIO) never throws out of here: the first error is
 * kept in `failure` and reported through `onFailure`, the file is emptied so that the rest
 * of the state directory (the database) keeps room, and nothing more is written.
 */
export class StepLog {
  private readonly stream: WriteStream | null = null;
  private bytes = 0;
  exceeded = false;
  failure: Error | null = null;

  constructor(
    private readonly stateDir: string,
    readonly relative: string,
    private readonly limit: number,
    private readonly onExceeded: () => void,
    private readonly onFailure: (e: Error) => void = () => undefined,
  ) {
    const full = join(stateDir, relative);
    try {
      mkdirSync(dirname(full), { recursive: true });
      this.stream = createWriteStream(full);
      this.stream.on('error', (e) => this.fail(e));
    } catch (e) {
      this.fail(e as Error);
    }
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    try {
      truncateSync(join(this.stateDir, this.relative));
    } catch {
      /* nothing to free */
    }
    this.onFailure(e);
  }

  write(chunk: Buffer | string): void {
    if (this.exceeded || this.failure || !this.stream) return;
    const size = Buffer.byteLength(chunk);
    if (this.limit > 0 && this.bytes + size > this.limit) {
      this.exceeded = true;
      this.stream.write(`\nhydrant: log limit of ${this.limit} bytes exceeded; the build was killed\n`);
      this.onExceeded();
      return;
    }
    this.bytes += size;
    this.stream.write(chunk);
  }

  /** Ends writing; the plain file stays readable until compress() has replaced it. */
  close(): Promise<void> {
    const stream = this.stream;
    if (!stream || stream.closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      stream.once('close', () => resolve());
      stream.end();
    });
  }

  /** Compresses the closed log; returns the compressed file's name relative to the state dir. */
  async compress(): Promise<string> {
    const gz = `${this.relative}.gz`;
    const plain = join(this.stateDir, this.relative);
    try {
      // Most logs are small: read, compressed and written at once that is a few system calls,
      // where streams cost a dozen trips through the thread pool (~1 ms of CPU a step). Big ones stream.
      if (this.bytes <= SMALL_LOG_BYTES) writeFileSync(join(this.stateDir, gz), gzipSync(readFileSync(plain)));
      else await pipeline(createReadStream(plain), createGzip(), createWriteStream(join(this.stateDir, gz)));
    } catch (e) {
      // Half a .gz is worse than none: readers would find it. The plain log stays.
      try {
        unlinkSync(join(this.stateDir, gz));
      } catch {
        /* never created */
      }
      throw e;
    }
    return gz;
  }

  /** Called once the database names the .gz file, so a reader never finds neither. */
  removePlain(): void {
    try {
      unlinkSync(join(this.stateDir, this.relative));
    } catch {
      /* already gone */
    }
  }
}
