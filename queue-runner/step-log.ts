import {
  closeSync,
  createReadStream,
  createWriteStream,
  ftruncateSync,
  mkdirSync,
  openSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';

/** Logs up to this size are kept in memory too, and compressed there (a millisecond at most). */
const SMALL_LOG_BYTES = 64 * 1024;
/**
 * Logs up to this size are not compressed: a file this small takes one block of the file
 * system either way, and compressing it, writing the .gz, recording its name and removing
 * the plain file cost more than the rest of a trivial step's bookkeeping.
 */
const ONE_BLOCK = 4096;

/**
 * A step's log: plain text growing at STATE_DIR/<logfile> while the step runs (the server
 * tails it), compressed to <logfile>.gz when it ends unless it fits in one block of the file
 * system (ONE_BLOCK). Stops writing past `limit` bytes.
 *
 * Written with synchronous calls, as Hydra's queue runner writes its logs: a write to the
 * page cache takes microseconds, where a write stream sends every chunk, and the close,
 * through the thread pool (milliseconds of wall time between a chain's steps), and a disk
 * error surfaces only later. Here it is known when the write returns, so a step's outcome
 * is settled the moment Nix answers. A slow disk holds up reading the builder's output,
 * which is the back-pressure a build log should get.
 *
 * A disk that is full or failing (ENOSPC, EIO) never throws out of here: the first error is
 * kept in `failure` and reported through `onFailure`, the file is emptied so that the rest
 * of the state directory (the database) keeps room, and nothing more is written.
 */
export class StepLog {
  private fd: number | null = null;
  private bytes = 0;
  /** The whole log while it is small: compressed and kept where Nix keeps logs without reading it back. */
  private held: Buffer[] | null = [];
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
      this.fd = openSync(full, 'w');
    } catch (e) {
      this.fail(e as Error);
    }
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    this.held = null;
    try {
      if (this.fd !== null) ftruncateSync(this.fd);
    } catch {
      /* nothing to free */
    }
    this.onFailure(e);
  }

  write(chunk: Buffer | string): void {
    if (this.exceeded || this.failure || this.fd === null) return;
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (this.limit > 0 && this.bytes + bytes.length > this.limit) {
      this.exceeded = true;
      this.held = null;
      this.append(Buffer.from(`\nhydrant: log limit of ${this.limit} bytes exceeded; the build was killed\n`));
      this.onExceeded();
      return;
    }
    this.bytes += bytes.length;
    if (this.held && this.bytes <= SMALL_LOG_BYTES) this.held.push(bytes);
    else this.held = null;
    this.append(bytes);
  }

  private append(bytes: Buffer): void {
    try {
      for (let done = 0; done < bytes.length; ) done += writeSync(this.fd!, bytes, done);
    } catch (e) {
      this.fail(e as Error);
    }
  }

  /** Ends writing; the plain file stays readable until compress() has replaced it. */
  close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    try {
      closeSync(fd);
    } catch (e) {
      this.fail(e as Error);
    }
  }

  /** Whether the closed log stays as it is, uncompressed (see ONE_BLOCK). */
  get fitsOneBlock(): boolean {
    return this.held !== null && !this.failure && this.bytes <= ONE_BLOCK;
  }

  /** The whole log, when it is small enough to have been kept in memory; null otherwise. */
  get text(): Buffer | null {
    if (!this.held || this.failure) return null;
    // Joined once: compressing and keeping it where Nix keeps logs both ask for it.
    if (this.held.length !== 1) this.held = [Buffer.concat(this.held)];
    return this.held[0]!;
  }

  /** Compresses the closed log; returns the compressed file's name relative to the state dir. */
  async compress(): Promise<string> {
    const gz = `${this.relative}.gz`;
    const plain = join(this.stateDir, this.relative);
    try {
      // Most logs are small: compressed from memory and written in one call, where streams cost
      // a dozen trips through the thread pool (~1 ms of CPU a step). Big ones stream.
      const text = this.text;
      if (text) await writeFile(join(this.stateDir, gz), gzipSync(text));
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
