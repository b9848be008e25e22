import { spawn, type ChildProcess } from 'node:child_process';
import type { Derivation } from './nix.ts';
import { WireReader, WireWriter } from './serve-wire.ts';

const SERVE_MAGIC_1 = 0x390c9deb;
const SERVE_MAGIC_2 = 0x5452eecb;
/** 2.4: build options with maxLogSize and repeats, results with times. Every Nix since 2.0 speaks it. */
const CLIENT_VERSION = 0x204;
const Cmd = { QueryValidPaths: 1, QueryPathInfos: 2, QueryClosure: 7, BuildDerivation: 8 } as const;

export interface ServeBuildResult {
  /** Nix's BuildResult status (0 built, 3 permanent failure, 8 timed out, 11 log limit, ...). */
  status: number;
  errorMsg: string;
}

/**
 * One `nix-store --serve --write` process, on this machine or at the end of an ssh
 * connection — the protocol Hydra's queue runner speaks. It stays open between requests,
 * so a build costs a round trip instead of a Nix process start. Requests run one at a
 * time; while a build runs, the process's stderr is that build's log.
 */
export class ServeConnection {
  private readonly reader: WireReader;
  private queue: Promise<unknown> = Promise.resolve();
  private stderrSink: ((chunk: Buffer) => void) | null = null;
  private stderrTail = '';
  private stderrBytes = 0;
  /** Requests sent or waiting their turn. */
  private inFlight = 0;
  alive = true;
  killedByUs = false;

  private constructor(private readonly child: ChildProcess) {
    this.reader = new WireReader(child.stdout!);
    child.stderr!.on('data', (d: Buffer) => {
      this.stderrBytes += d.length;
      this.stderrTail = (this.stderrTail + d.toString('utf8')).slice(-2000);
      this.stderrSink?.(d);
    });
    child.stdin!.on('error', () => {
      /* the reader sees the end */
    });
    child.on('close', () => {
      this.alive = false;
    });
    this.idle();
  }

  static async open(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<ServeConnection> {
    const child = spawn(command, args, { env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    const spawned = new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (e) => reject(new Error(`cannot run ${command}: ${e.message}`)));
    });
    await spawned;
    const conn = new ServeConnection(child);
    try {
      await conn.request(async () => {
        conn.send(new WireWriter().num(SERVE_MAGIC_1));
        if ((await conn.reader.num()) !== SERVE_MAGIC_2) throw new Error('not a nix-store --serve on the other end');
        await conn.reader.num();
        conn.send(new WireWriter().num(CLIENT_VERSION));
      });
    } catch (e) {
      conn.kill();
      throw new Error(`${(e as Error).message}${conn.stderrTail ? `: ${conn.stderrTail.trim()}` : ''}`);
    }
    return conn;
  }

  /** Last words on stderr, for error messages. */
  get tail(): string {
    return this.stderrTail.trim();
  }

  kill(): void {
    this.killedByUs = true;
    this.alive = false;
    try {
      process.kill(-this.child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  }

  async queryValidPaths(paths: readonly string[]): Promise<Set<string>> {
    return this.request(async () => {
      this.send(new WireWriter().num(Cmd.QueryValidPaths).num(0).num(0).strs(paths));
      return new Set(await this.reader.strs());
    });
  }

  /** NAR size and references of each valid path; invalid paths are left out. */
  async queryPathInfos(paths: readonly string[]): Promise<Map<string, { narSize: number; references: string[] }>> {
    return this.request(async () => {
      this.send(new WireWriter().num(Cmd.QueryPathInfos).strs(paths));
      const infos = new Map<string, { narSize: number; references: string[] }>();
      for (;;) {
        const path = await this.reader.str();
        if (!path) return infos;
        await this.reader.str(); // deriver
        const references = await this.reader.strs();
        await this.reader.num(); // download size
        const narSize = await this.reader.num();
        await this.reader.str(); // nar hash
        await this.reader.str(); // content address
        await this.reader.strs(); // signatures
        infos.set(path, { narSize, references });
      }
    });
  }

  async queryClosure(paths: readonly string[]): Promise<string[]> {
    return this.request(async () => {
      this.send(new WireWriter().num(Cmd.QueryClosure).num(0).strs(paths));
      return this.reader.strs();
    });
  }

  /**
   * Builds a derivation whose inputs are all valid on that machine (Nix's BasicDerivation:
   * input derivations resolved to their outputs). The log goes to onOutput as it comes.
   */
  async buildDerivation(
    drvPath: string,
    drv: Derivation,
    inputPaths: readonly string[],
    o: { maxSilent: number; timeout: number; maxLogSize: number; onOutput: (chunk: Buffer) => void },
  ): Promise<ServeBuildResult> {
    return this.request(async () => {
      const w = new WireWriter().num(Cmd.BuildDerivation).str(drvPath);
      const outputs = Object.entries(drv.outputs);
      w.num(outputs.length);
      for (const [name, out] of outputs) w.str(name).str(out.path).str('').str('');
      w.strs([...new Set([...drv.inputSrcs, ...inputPaths])].sort())
        .str(drv.system)
        .str(drv.builder)
        .strs(drv.args);
      const env = Object.entries(drv.env);
      w.num(env.length);
      for (const [k, v] of env) w.str(k).str(v);
      // maxSilentTime, buildTimeout, maxLogSize, build repeats, enforce determinism.
      w.num(o.maxSilent).num(o.timeout).num(o.maxLogSize).num(0).num(0);
      this.stderrSink = o.onOutput;
      try {
        this.send(w);
        const status = await this.reader.num();
        const errorMsg = await this.reader.str();
        for (let i = 0; i < 4; i++) await this.reader.num(); // times built, non-deterministic, start, stop
        // Nix 2.x sends the built outputs whatever version the client speaks.
        const n = await this.reader.num();
        for (let i = 0; i < n; i++) {
          await this.reader.str();
          await this.reader.str();
        }
        await this.stderrQuiet();
        return { status, errorMsg };
      } finally {
        this.stderrSink = null;
      }
    });
  }

  /**
   * Nix writes the log to stderr before the result to stdout, so the log's end is already in
   * the stderr pipe when the result arrives — but Node may hand us the stdout event first.
   * Yielding to the event loop lets the pending stderr events run, so the end of the log
   * (often the part that says why a build failed) is not cut off. No sleeping: a chain of
   * steps would pay for it on every step.
   */
  private async stderrQuiet(): Promise<void> {
    for (let i = 0; i < 20; i++) {
      const before = this.stderrBytes;
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      if (this.stderrBytes === before) return;
    }
  }

  private send(w: WireWriter): void {
    this.child.stdin!.write(w.bytes());
  }

  /**
   * One request at a time; the process keeps Node alive only while one is in flight. On an
   * idle connection the request is sent before this returns, so a caller can do its own
   * bookkeeping while Nix works (a chain's next step goes to Nix first).
   */
  private request<T>(fn: () => Promise<T>): Promise<T> {
    const run = async () => {
      try {
        if (!this.alive) throw new Error('the nix-store --serve connection is closed');
        this.busy();
        try {
          return await fn();
        } finally {
          this.idle();
        }
      } finally {
        this.inFlight--;
      }
    };
    const result = this.inFlight++ === 0 ? run() : this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private busy(): void {
    this.child.ref();
    for (const s of [this.child.stdout, this.child.stderr, this.child.stdin])
      (s as unknown as { ref?: () => void } | null)?.ref?.();
  }

  private idle(): void {
    this.child.unref();
    for (const s of [this.child.stdout, this.child.stderr, this.child.stdin])
      (s as unknown as { unref?: () => void } | null)?.unref?.();
  }
}
