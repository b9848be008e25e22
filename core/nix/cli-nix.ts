import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { PACKAGE_ROOT } from '../paths.ts';
import { parseDerivation } from './derivation.ts';
import { evaluateJobsIsolated, type JobsRequest, type JobsRun, type JobsRunOptions } from './eval-jobs.ts';
import type { SshTarget } from './machines.ts';
import { openLocalStore, type LocalStore } from './local-store.ts';
import { ServeBuildConnection } from './serve-build.ts';
import { ServeConnection } from './serve-connection.ts';
import {
  EvalError,
  RemoteConnectionError,
  type BuildConnection,
  type Derivation,
  type EvalJobsResult,
  type EvalRequest,
  type Nix,
  type SourceCopy,
} from './nix.ts';
import { nixEnv, optionFlags } from './options.ts';
import { pipePrograms, runProgram, type Program, type RunResult } from './run.ts';
import { remoteNixCommand, SSH_CONNECTION_FAILED, sshArgs } from './ssh.ts';

/**
 * Without symlinks: restricted, Nix allows a path only if it is inside an allowed one both
 * before and after resolving symlinks.
 */
const EVAL_JOBS_NIX = realpathSync(join(PACKAGE_ROOT, 'core', 'nix', 'eval-jobs.nix'));
/** Longer requests go through a file (Linux takes at most 128 kB in one argument). */
const INLINE_REQUEST_MAX = 32 * 1024;
/**
 * Parsed derivations kept (a few kB each). 20,000 were 40 MB of the peak RSS of a queue runner
 * taking in 100,000 builds (bench/big-queue); one read again is one small file.
 */
const DERIVATIONS_KEPT = 5_000;
/** Store path infos kept (a few hundred bytes each). */
const PATH_INFOS_KEPT = 200_000;

/** Keeps `value` under `key` in a map that holds at most `limit` entries, dropping the oldest. */
function remember<V>(map: Map<string, V>, key: string, value: V, limit: number): void {
  if (map.size >= limit) map.delete(map.keys().next().value!);
  map.set(key, value);
}

/** Nix through its command-line tools (Debian's nix-bin 2.8: nix-instantiate, nix-store). */
export class CliNix implements Nix {
  private queryConnection: Promise<ServeConnection> | null = null;
  private localStore: LocalStore | null = openLocalStore();
  private readonly derivations = new Map<string, Derivation>();
  private readonly pathInfos = new Map<string, { narSize: number; references: string[] }>();

  /** `knownHostsDir`: where the machines file's pinned host keys are written (the state directory's ssh/). */
  constructor(
    private readonly binDir = '',
    private readonly knownHostsDir?: string,
  ) {}

  private sshArgsOf(target: SshTarget): string[] {
    return this.knownHostsDir ? sshArgs(target, process.env, this.knownHostsDir) : sshArgs(target);
  }

  async readLog(drvPath: string): Promise<string | null> {
    const result = await runProgram(this.bin('nix-store'), ['--read-log', drvPath, ...optionFlags()], {
      env: nixEnv(),
      timeoutSeconds: 60,
    });
    return result.code === 0 ? result.stdout : null;
  }

  private bin(name: string): string {
    return this.binDir ? `${this.binDir}/${name}` : name;
  }

  async evaluateJobs(request: EvalRequest): Promise<EvalJobsResult> {
    // Runs that may write copy the directories themselves (builtins.path); a run that may not
    // (walks beside a first evaluation's writer, a bisection) needs them in the store first:
    // `nix-store --add`, once, while the writer starts and copies them too.
    const copies = request.copies ?? [];
    let added: Promise<void> | null = null;
    const inStore = () => (added ??= this.addCopies(copies));
    const knownDir = request.known ? await mkdtemp(join(tmpdir(), 'hydrant-known-')) : null;
    try {
      const knownFile = knownDir ? join(knownDir, 'known.json') : null;
      if (knownFile) await writeFile(knownFile, request.known!);
      return await evaluateJobsIsolated(
        {
          run: async (jobsRequest, options) => {
            if (copies.length && !options.writeDrvs) await inStore();
            return this.runEvalJobs(request, jobsRequest, options, {
              copies: options.writeDrvs ? copies : [],
              knownFile,
            });
          },
        },
        request,
      );
    } finally {
      if (knownDir) await rm(knownDir, { recursive: true, force: true });
    }
  }

  /**
   * Adds the copies not in the store yet as `nix-store --add` does; their contents must not
   * have changed. A copy not on disk is not asked of Nix's database: while hydrant has it open,
   * the last Nix process to close it leaves its write-ahead log for the next writer to fold in
   * (after a first evaluation of 5,000 jobs, ~0.3 s paid by the next evaluation).
   */
  private async addCopies(copies: readonly SourceCopy[]): Promise<void> {
    for (const c of copies) {
      if (existsSync(c.storePath) && (await this.validPaths([c.storePath])).has(c.storePath)) continue;
      const path = await this.addToStore(c.hostPath);
      if (path !== c.storePath)
        throw new EvalError(
          `${c.hostPath} changed while it was being evaluated; the next check evaluates it again`,
          '',
        );
    }
  }

  /** One nix-instantiate of eval-jobs.nix, under the request's time and memory limits. */
  private async runEvalJobs(
    request: EvalRequest,
    jobsRequest: JobsRequest,
    { writeDrvs, signal }: JobsRunOptions,
    extra: {
      /** Directories this run copies into the store before it reads them (it may write). */
      copies: readonly SourceCopy[];
      /** EvalRequest.known as a JSON file, or null. */
      knownFile: string | null;
    },
  ): Promise<JobsRun> {
    const { copies, knownFile } = extra;
    const stopped: JobsRun = {
      ok: false,
      limitHit: true,
      message: 'evaluation stopped: hydrant is shutting down or another part of it failed',
    };
    if (signal?.aborted) return stopped;
    const requestJson = JSON.stringify(jobsRequest);
    // Most requests fit in an argument; a bisection's names or a writer's paths go through a file.
    const dir = requestJson.length > INLINE_REQUEST_MAX ? await mkdtemp(join(tmpdir(), 'hydrant-eval-')) : null;
    try {
      const requestArgs = dir ? ['__hydrantRequestFile', join(dir, 'request.json')] : ['__hydrantRequest', requestJson];
      if (dir) await writeFile(join(dir, 'request.json'), requestJson);
      // Restricted, Nix reads only the search path: the walker itself (nothing else of hydrant),
      // the request's own directory, and the allowed paths.
      const restrict = request.restrict;
      // Writing, Nix would build what an expression imports from a derivation; the evaluator never builds.
      const options: Record<string, string> = writeDrvs ? { 'allow-import-from-derivation': 'false' } : {};
      // A run that copies reads the directories it copies (a symlink in them that leads out is
      // still refused: restricted, Nix checks a path again once resolved). Their store paths are
      // allowed once copied; named before, Nix would warn that they do not exist.
      const copyArgs = copies.length
        ? [
            '--argstr',
            '__hydrantCopies',
            JSON.stringify(copies.map((c) => ({ path: c.hostPath, name: basename(c.hostPath), sha256: c.narHash }))),
          ]
        : [];
      const copied = new Set(copies.map((c) => c.storePath));
      const allowed = [EVAL_JOBS_NIX, ...(dir ? [dir] : []), ...(knownFile ? [knownFile] : [])];
      for (const p of restrict?.allowedPaths ?? []) if (!copied.has(p)) allowed.push(p);
      for (const c of copies) allowed.push(c.hostPath);
      const restrictArgs = restrict
        ? [
            ...optionFlags({ ...options, 'restrict-eval': 'true', 'allowed-uris': restrict.allowedUris.join(' ') }),
            ...allowed.flatMap((p, i) => ['-I', `hydrant-allowed-${i}=${p}`]),
          ]
        : optionFlags(options);
      const args = [
        '--eval',
        '--strict',
        '--json',
        ...(writeDrvs ? ['--read-write-mode'] : []),
        ...restrictArgs,
        EVAL_JOBS_NIX,
        '--argstr',
        '__hydrantExpr',
        request.exprPath,
        '--argstr',
        ...requestArgs,
        ...copyArgs,
        ...(knownFile ? ['--argstr', '__hydrantKnownFile', knownFile] : []),
      ];
      for (const [name, value] of Object.entries(request.args)) {
        if ('str' in value) args.push('--argstr', name, value.str);
        else args.push('--arg', name, value.expr);
      }
      const limit = request.memoryLimitMiB ?? 0;
      const [command, commandArgs] = limit
        ? ['prlimit', [`--as=${limit * 1024 * 1024}`, '--', this.bin('nix-instantiate'), ...args]]
        : [this.bin('nix-instantiate'), args];
      const env = restrict ? { ...nixEnv(), NIX_PATH: '' } : nixEnv();
      const result = await runProgram(command, commandArgs, { env, timeoutSeconds: request.timeoutSeconds, signal });
      if (signal?.aborted) return stopped;
      if (result.timedOut)
        return {
          ok: false,
          limitHit: true,
          message: `evaluation stopped: it took longer than ${request.timeoutSeconds} seconds`,
        };
      if (result.code !== 0) {
        if (limit && ranOutOfMemory(result)) {
          return {
            ok: false,
            limitHit: true,
            message: `evaluation stopped: it needed more than the memory limit of ${limit} MiB`,
          };
        }
        return {
          ok: false,
          limitHit: false,
          message: cleanNixError(result.stderr) || `nix-instantiate exited with status ${result.code}`,
        };
      }
      try {
        return { ok: true, value: JSON.parse(result.stdout) };
      } catch {
        return { ok: false, limitHit: false, message: 'nix-instantiate printed something that is not JSON' };
      }
    } finally {
      if (dir) await rm(dir, { recursive: true, force: true });
    }
  }

  /**
   * A .drv file never changes (its name is its hash), so what was parsed is kept: the queue
   * runner reads a step's input derivations each time a step starts, and every queued
   * build's when it takes builds in. Bounded, oldest first out.
   */
  async readDerivation(drvPath: string): Promise<Derivation> {
    const known = this.derivations.get(drvPath);
    if (known) return known;
    // Read at once: a .drv is a few kB in the local store, and a read through the thread pool
    // costs more than the read (taking 100,000 queued builds in reads 100,000 of them).
    const drv = parseDerivation(readFileSync(drvPath, 'utf8'));
    remember(this.derivations, drvPath, drv, DERIVATIONS_KEPT);
    return drv;
  }

  async validPaths(paths: readonly string[]): Promise<Set<string>> {
    if (paths.length === 0) return new Set();
    const local = this.askLocalStore((store) => new Set(paths.filter((p) => store.isValid(p))));
    return local ?? (await this.queries()).queryValidPaths(paths);
  }

  /**
   * Asks Nix's own database (read-only, as the binary cache does): microseconds a path, where
   * the first question through `nix-store --serve` waits for a Nix process to start, and every
   * one after costs a round trip. A store whose database cannot be read (another location, no
   * permission) is asked through Nix from then on.
   */
  private askLocalStore<T>(ask: (store: LocalStore) => T): T | undefined {
    if (!this.localStore) return undefined;
    try {
      return ask(this.localStore);
    } catch {
      this.localStore.close();
      this.localStore = null;
      return undefined;
    }
  }

  async addToStore(dir: string): Promise<string> {
    const result = await runProgram(this.bin('nix-store'), ['--add', ...optionFlags(), dir], { env: nixEnv() });
    if (result.code !== 0) throw new Error(`nix-store --add ${dir} failed: ${cleanNixError(result.stderr)}`);
    return result.stdout.trim();
  }

  /**
   * A valid path's size and references do not change, so they are kept: a new output's
   * closure is mostly paths seen before, and then this is one round trip (its own info)
   * instead of two (closure, then infos of all of it).
   */
  async pathSizes(path: string): Promise<{ narSize: number; closureSize: number }> {
    const local = this.askLocalStore((store) => this.closureSizesFrom(store, path));
    if (local === 'invalid') throw new Error(`${path} is not valid`);
    if (local) return local;
    const conn = await this.queries();
    const learn = async (paths: readonly string[]) => {
      const unknown = paths.filter((p) => !this.pathInfos.has(p));
      if (unknown.length === 0) return;
      for (const [p, info] of await conn.queryPathInfos(unknown)) remember(this.pathInfos, p, info, PATH_INFOS_KEPT);
    };
    await learn([path]);
    const own = this.pathInfos.get(path);
    if (!own) throw new Error(`${path} is not valid`);
    const unknownRefs = own.references.filter((r) => r !== path && !this.pathInfos.has(r));
    if (unknownRefs.length) await learn(await conn.queryClosure(unknownRefs));
    const closure = new Map([[path, own]]);
    const stack = [...own.references];
    while (stack.length) {
      const p = stack.pop()!;
      if (closure.has(p)) continue;
      const info = this.pathInfos.get(p);
      // Evicted meanwhile: ask for the whole closure as before.
      if (!info) return this.pathSizesUncached(conn, path);
      closure.set(p, info);
      stack.push(...info.references);
    }
    return { narSize: own.narSize, closureSize: [...closure.values()].reduce((sum, i) => sum + i.narSize, 0) };
  }

  /** pathSizes from Nix's database; null when a reference is missing from it (Nix is asked then). */
  private closureSizesFrom(
    store: LocalStore,
    path: string,
  ): { narSize: number; closureSize: number } | 'invalid' | null {
    const info = (p: string) => {
      const kept = this.pathInfos.get(p);
      if (kept) return kept;
      const read = store.sizeAndReferences(p);
      if (read) remember(this.pathInfos, p, read, PATH_INFOS_KEPT);
      return read;
    };
    const own = info(path);
    if (!own) return 'invalid';
    const closure = new Map([[path, own]]);
    const stack = [...own.references];
    while (stack.length) {
      const p = stack.pop()!;
      if (closure.has(p)) continue;
      const i = info(p);
      if (!i) return null;
      closure.set(p, i);
      stack.push(...i.references);
    }
    return { narSize: own.narSize, closureSize: [...closure.values()].reduce((sum, i) => sum + i.narSize, 0) };
  }

  private async pathSizesUncached(
    conn: ServeConnection,
    path: string,
  ): Promise<{ narSize: number; closureSize: number }> {
    const infos = await conn.queryPathInfos(await conn.queryClosure([path]));
    const own = infos.get(path);
    if (!own) throw new Error(`${path} is not valid`);
    return { narSize: own.narSize, closureSize: [...infos.values()].reduce((sum, i) => sum + i.narSize, 0) };
  }

  async openBuildConnection(on: SshTarget | null, options: Record<string, string> = {}): Promise<BuildConnection> {
    const conn = on
      ? await ServeConnection.open(
          'ssh',
          [...this.sshArgsOf(on), remoteNixCommand('nix-store', ['--serve', '--write'], options)],
          nixEnv(),
        )
      : await ServeConnection.open(this.bin('nix-store'), ['--serve', '--write', ...optionFlags(options)], nixEnv());
    return new ServeBuildConnection(
      conn,
      on ? `${on.destination}${on.port ? `:${on.port}` : ''}` : 'the local nix-store --serve',
      !on,
    );
  }

  /**
   * Store queries go through one long-lived local `nix-store --serve`: on a busy store a
   * Nix process start costs more than the query itself. Reopened if it dies.
   */
  private queries(): Promise<ServeConnection> {
    if (this.queryConnection) {
      const current = this.queryConnection;
      return current.then(
        (c) => (c.alive ? c : this.reopenQueries()),
        () => this.reopenQueries(),
      );
    }
    return this.reopenQueries();
  }

  private reopenQueries(): Promise<ServeConnection> {
    this.queryConnection = ServeConnection.open(this.bin('nix-store'), ['--serve', ...optionFlags()], nixEnv());
    return this.queryConnection;
  }

  async copyClosureTo(target: SshTarget, paths: readonly string[]): Promise<number> {
    const closure = await this.closure(paths);
    const missing = await this.remoteInvalid(target, closure);
    if (missing.length === 0) return 0;
    await this.transfer(
      { command: this.bin('nix-store'), args: ['--export', ...optionFlags(), ...missing], env: nixEnv() },
      { command: 'ssh', args: [...this.sshArgsOf(target), remoteNixCommand('nix-store', ['--import'])] },
      target,
    );
    return missing.length;
  }

  async copyClosureFrom(target: SshTarget, paths: readonly string[]): Promise<number> {
    const remote = await this.ssh(target, 'nix-store', ['--query', '--requisites', ...paths]);
    const closure = remote.split('\n').filter(Boolean);
    const valid = await this.validPaths(closure);
    const missing = closure.filter((p) => !valid.has(p));
    if (missing.length === 0) return 0;
    await this.transfer(
      { command: 'ssh', args: [...this.sshArgsOf(target), remoteNixCommand('nix-store', ['--export', ...missing])] },
      { command: this.bin('nix-store'), args: ['--import', ...optionFlags()], env: nixEnv() },
      target,
    );
    return missing.length;
  }

  /** The closure in dependency order, which is the order --import needs. */
  private async closure(paths: readonly string[]): Promise<string[]> {
    const result = await runProgram(this.bin('nix-store'), ['--query', '--requisites', ...optionFlags(), ...paths], {
      env: nixEnv(),
    });
    if (result.code !== 0) throw new Error(`nix-store --query --requisites failed: ${cleanNixError(result.stderr)}`);
    return result.stdout.split('\n').filter(Boolean);
  }

  private async remoteInvalid(target: SshTarget, paths: readonly string[]): Promise<string[]> {
    const out = await this.ssh(target, 'nix-store', ['--check-validity', '--print-invalid', ...paths]);
    const invalid = new Set(out.split('\n').filter(Boolean));
    return paths.filter((p) => invalid.has(p));
  }

  private async ssh(target: SshTarget, tool: string, args: readonly string[]): Promise<string> {
    const result = await runProgram('ssh', [...this.sshArgsOf(target), remoteNixCommand(tool, args)], {
      env: nixEnv(),
      timeoutSeconds: 300,
    });
    if (result.code === SSH_CONNECTION_FAILED)
      throw new RemoteConnectionError(
        `cannot reach ${target.destination}: ${cleanNixError(result.stderr) || 'ssh failed'}`,
      );
    if (result.code !== 0) throw new Error(`${tool} on ${target.destination} failed: ${cleanNixError(result.stderr)}`);
    return result.stdout;
  }

  private async transfer(from: Program, to: Program, target: SshTarget): Promise<void> {
    const r = await pipePrograms(from, to);
    if (r.fromCode === SSH_CONNECTION_FAILED || r.toCode === SSH_CONNECTION_FAILED) {
      throw new RemoteConnectionError(
        `copying to or from ${target.destination} broke off: ${cleanNixError(r.stderr) || 'ssh failed'}`,
      );
    }
    if (r.fromCode !== 0 || r.toCode !== 0)
      throw new Error(`copying store paths with ${target.destination} failed: ${cleanNixError(r.stderr)}`);
  }
}

/** Nix's stderr without the noise (warnings about the missing nixbld group, progress lines). */
export function cleanNixError(stderr: string): string {
  return stderr
    .split('\n')
    .filter((line) => line.trim() && !/^warning: /.test(line) && !/^\(use '--show-trace'/.test(line))
    .join('\n')
    .trim();
}

/**
 * Nix under an address-space limit dies in several ways: the GC reports it is out of
 * memory, C++ throws bad_alloc, or the process gets a signal while allocating.
 */
function ranOutOfMemory(result: RunResult): boolean {
  return /out of memory|bad_alloc|cannot allocate memory/i.test(result.stderr) || result.code > 128;
}
