import { spawn } from 'node:child_process';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/**
 * Build logs live under STATE_DIR/logs/BUILD/STEP.log, written by the queue runner and read
 * by the server. The database names the file relative to the state dir: the plain file while
 * the step runs (it grows), `….log.gz` once the step has ended. A log is written by the build,
 * that is by anyone who can push a commit, and may be any size: everything here streams and
 * holds at most a bounded number of bytes, whatever the log's size.
 */
export interface LogFile {
  path: string;
  /** gzip: hydrant's finished step logs; bzip2: logs where Nix keeps them (…/drvs/XX/REST.bz2). */
  compression: 'none' | 'gzip' | 'bzip2';
}

/** A line of a log as shown: its number, its text (cut to MAX_LINE_BYTES) and whether it was cut. */
export interface LogLine {
  n: number;
  text: string;
  cut: boolean;
}

/** Longer lines are cut for display (the raw log has them whole). */
export const MAX_LINE_BYTES = 16 * 1024;

/** The file a step's `logfile` names, or the .gz a reader that looked just before compression finds instead. */
export function stepLogFile(stateDir: string, relative: string | null): LogFile | null {
  if (!relative) return null;
  const clean = normalize(relative);
  if (clean.startsWith('..') || clean.startsWith('/')) return null;
  const full = join(stateDir, clean);
  if (existsSync(full)) return { path: full, compression: clean.endsWith('.gz') ? 'gzip' : 'none' };
  if (!clean.endsWith('.gz') && existsSync(`${full}.gz`)) return { path: `${full}.gz`, compression: 'gzip' };
  return null;
}

/** The log's text as a stream of bytes (decompressed), from byte `start` of the text. */
export function openLogText(file: LogFile, start = 0): Readable {
  if (file.compression === 'none') return createReadStream(file.path, { start, highWaterMark: 64 * 1024 });
  if (file.compression === 'bzip2') {
    const child = spawn('bzip2', ['-dc', file.path], { stdio: ['ignore', 'pipe', 'ignore'] });
    child.on('error', (e) => child.stdout.destroy(e));
    child.stdout.on('close', () => child.kill());
    return start > 0 ? skipBytes(child.stdout, start) : child.stdout;
  }
  const gunzip = createGunzip({ chunkSize: 64 * 1024 });
  const source = createReadStream(file.path, { highWaterMark: 64 * 1024 });
  source.on('error', (e) => gunzip.destroy(e));
  gunzip.on('close', () => source.destroy());
  source.pipe(gunzip);
  return start > 0 ? skipBytes(gunzip, start) : gunzip;
}

async function* skipped(stream: Readable, start: number): AsyncGenerator<Buffer> {
  let toSkip = start;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (toSkip >= chunk.length) {
      toSkip -= chunk.length;
      continue;
    }
    yield toSkip > 0 ? chunk.subarray(toSkip) : chunk;
    toSkip = 0;
  }
}

function skipBytes(stream: Readable, start: number): Readable {
  const rest = Readable.from(skipped(stream, start), { objectMode: false });
  rest.on('close', () => stream.destroy());
  return rest;
}

/**
 * Splits bytes into lines. A line is never split inside a UTF-8 character (the newline is
 * ASCII); a line longer than MAX_LINE_BYTES keeps only its start, so memory stays bounded.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private kept = 0;
  private cut = false;
  /** Bytes consumed up to the end of the last whole line. */
  wholeBytes = 0;
  private pendingBytes = 0;

  constructor(private readonly onLine: (text: string, cut: boolean) => boolean | void) {}

  /** Feeds bytes; returns false once onLine asked to stop. */
  push(chunk: Buffer): boolean {
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, from);
      const end = nl < 0 ? chunk.length : nl;
      this.keep(chunk.subarray(from, end));
      this.pendingBytes += end - from;
      if (nl < 0) return true;
      this.wholeBytes += this.pendingBytes + 1;
      this.pendingBytes = 0;
      if (this.emit() === false) return false;
      from = nl + 1;
    }
  }

  /** The last line when it has no newline (a finished log's end). */
  end(): void {
    if (this.kept > 0 || this.pendingBytes > 0) this.emit();
  }

  private keep(part: Buffer): void {
    const room = MAX_LINE_BYTES - this.kept;
    if (part.length > room) this.cut = true;
    const taken = part.length > room ? part.subarray(0, Math.max(0, room)) : part;
    if (taken.length) {
      this.parts.push(Buffer.from(taken));
      this.kept += taken.length;
    }
  }

  private emit(): boolean | void {
    const text = Buffer.concat(this.parts, this.kept).toString('utf8');
    const cut = this.cut;
    this.parts = [];
    this.kept = 0;
    this.cut = false;
    return this.onLine(text, cut);
  }
}

/** What a log page shows of a log: its first lines, its last lines and how many there are. */
export interface LogWindow {
  head: LogLine[];
  tail: LogLine[];
  totalLines: number;
  /** Bytes of text read, up to the end of the last line shown (where a live stream continues). */
  bytes: number;
}

export interface WindowRequest {
  /** Lines shown from the start (1-based `start`). */
  start: number;
  headLines: number;
  /** Last lines kept; 0 for none. Also bounded by tailBytes. */
  tailLines: number;
  tailBytes: number;
  /** A growing log: read up to its size now and leave out a last line without a newline. */
  growing: boolean;
}

/**
 * Reads a log once, as a stream, keeping lines start…start+headLines-1 and the last
 * tailLines (a ring, at most tailBytes). With no tail it stops reading after the head.
 */
export async function readLogWindow(file: LogFile | Buffer, want: WindowRequest): Promise<LogWindow> {
  const head: LogLine[] = [];
  const tail: LogLine[] = [];
  let tailBytes = 0;
  let n = 0;
  const splitter = new LineSplitter((text, cut) => {
    n++;
    const line = { n, text, cut };
    if (n >= want.start && n < want.start + want.headLines) {
      head.push(line);
      return;
    }
    if (n >= want.start + want.headLines && want.tailLines === 0) return false;
    if (n < want.start || want.tailLines === 0) return;
    tail.push(line);
    tailBytes += text.length;
    while (tail.length > want.tailLines || tailBytes > want.tailBytes) tailBytes -= tail.shift()!.text.length;
  });
  const size = want.growing && !Buffer.isBuffer(file) ? statSync(file.path).size : -1;
  if (size === 0) return { head, tail, totalLines: 0, bytes: 0 };
  let stream: Readable;
  if (Buffer.isBuffer(file)) stream = Readable.from([file]);
  else
    stream = want.growing
      ? createReadStream(file.path, { end: size - 1, highWaterMark: 64 * 1024 })
      : openLogText(file);
  let stopped = false;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (!splitter.push(chunk)) {
        stopped = true;
        break;
      }
    }
  } finally {
    stream.destroy();
  }
  if (!stopped && !want.growing) splitter.end();
  // With a head only, the count stops where reading did: the rest is unknown.
  return { head, tail, totalLines: n, bytes: splitter.wholeBytes };
}

/**
 * Remembers the windows of finished (compressed, never changing again) logs, and lets
 * concurrent readers of one log share a single pass: 32 clients on the page of a 50 MB log
 * decompress it once, not 32 times. Bounded: a few entries, each bounded by its request.
 */
export class LogWindows {
  private readonly entries = new Map<string, Promise<LogWindow>>();

  constructor(private readonly maxEntries = 16) {}

  read(file: LogFile, want: WindowRequest): Promise<LogWindow> {
    if (file.compression === 'none' || want.growing) return readLogWindow(file, want);
    let key: string;
    try {
      const st = statSync(file.path);
      key = `${file.path}:${st.size}:${st.mtimeMs}:${want.start}:${want.headLines}:${want.tailLines}:${want.tailBytes}`;
    } catch {
      return readLogWindow(file, want);
    }
    const known = this.entries.get(key);
    if (known) {
      this.entries.delete(key);
      this.entries.set(key, known);
      return known;
    }
    const reading = readLogWindow(file, want);
    this.entries.set(key, reading);
    reading.catch(() => this.entries.delete(key));
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return reading;
  }
}

const FOLLOW_CHUNK = 64 * 1024;

export interface FollowOptions {
  /** Whether the step still runs; once it says no, the file is complete (the queue runner closes it first). */
  busy: () => boolean;
  pollMs: number;
  signal: AbortSignal;
}

/**
 * A step's log from byte `from`, following the plain file while the step runs (whole lines
 * only, so a line is never split), then everything to the end, including a last line without
 * a newline. The file stays open, so compression replacing it with the .gz at the end of the
 * step (the plain name is removed) never cuts a slow reader short; a log already compressed
 * is read from the .gz.
 */
export async function* followStepLog(
  stateDir: string,
  relative: string | null,
  from: number,
  opts: FollowOptions,
): AsyncGenerator<Buffer> {
  let file = stepLogFile(stateDir, relative);
  // The queue runner names the file before it creates it.
  while (!file && opts.busy() && !opts.signal.aborted) {
    await sleep(opts.pollMs);
    file = stepLogFile(stateDir, relative);
  }
  if (!file || opts.signal.aborted) return;
  let handle;
  if (file.compression === 'none') {
    try {
      handle = await open(file.path, 'r');
    } catch {
      file = stepLogFile(stateDir, relative);
      if (!file) return;
    }
  }
  if (!handle) {
    yield* openLogText(file, from) as AsyncIterable<Buffer>;
    return;
  }
  try {
    let offset = from;
    const buffer = Buffer.alloc(FOLLOW_CHUNK);
    while (!opts.signal.aborted) {
      const busy = opts.busy();
      const { bytesRead } = await handle.read(buffer, 0, FOLLOW_CHUNK, offset);
      let chunk = buffer.subarray(0, bytesRead);
      if (busy) {
        const lastNewline = chunk.lastIndexOf(0x0a);
        // A line longer than a whole chunk is sent in pieces rather than waited for forever.
        if (lastNewline >= 0) chunk = chunk.subarray(0, lastNewline + 1);
        else if (bytesRead < FOLLOW_CHUNK) chunk = chunk.subarray(0, 0);
      }
      if (chunk.length) {
        offset += chunk.length;
        yield Buffer.from(chunk);
        continue;
      }
      if (!busy) return;
      await sleep(opts.pollMs);
    }
  } finally {
    await handle.close();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
