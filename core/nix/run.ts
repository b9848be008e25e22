import { spawn } from 'node:child_process';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Set when timeoutSeconds passed and the process group was killed. */
  timedOut: boolean;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  input?: string;
  timeoutSeconds?: number;
  /** Kill the whole process group, not only the child, on timeout/abort. */
  signal?: AbortSignal;
}

/**
 * Runs a program to completion and collects its output. The child gets its own process
 * group so that a timeout kills everything it started (nix spawns builders).
 */
export function runProgram(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      detached: true,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout!.on('data', (d: Buffer) => stdout.push(d));
    child.stderr!.on('data', (d: Buffer) => stderr.push(d));
    let timedOut = false;
    const killGroup = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const timer = options.timeoutSeconds
      ? setTimeout(() => {
          timedOut = true;
          killGroup();
        }, options.timeoutSeconds * 1000)
      : undefined;
    options.signal?.addEventListener('abort', killGroup, { once: true });
    if (options.input !== undefined) {
      // A program that exits without reading its input: its exit code says why, not EPIPE.
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(options.input);
    }
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${command}: ${err.message}`));
    });
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', killGroup);
      resolve({
        code: code ?? (sig ? 128 + 9 : 1),
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        timedOut,
      });
    });
  });
}

export interface Program {
  command: string;
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs `from | to` without a shell, so store paths never pass through word splitting.
 * Both exit codes are returned: a failed export must not look like an empty import.
 */
export function pipePrograms(
  from: Program,
  to: Program,
): Promise<{ fromCode: number; toCode: number; stderr: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const a = spawn(from.command, from.args, { env: from.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const b = spawn(to.command, to.args, { env: to.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const stderr: Buffer[] = [];
    const stdout: Buffer[] = [];
    a.stdout!.pipe(b.stdin!);
    b.stdin!.on('error', () => {
      /* the reader died; its exit code says why */
    });
    a.stderr!.on('data', (d: Buffer) => stderr.push(d));
    b.stderr!.on('data', (d: Buffer) => stderr.push(d));
    b.stdout!.on('data', (d: Buffer) => stdout.push(d));
    const codes: [number | null, number | null] = [null, null];
    const done = () => {
      if (codes[0] === null || codes[1] === null) return;
      resolve({
        fromCode: codes[0],
        toCode: codes[1],
        stderr: Buffer.concat(stderr).toString('utf8'),
        stdout: Buffer.concat(stdout).toString('utf8'),
      });
    };
    a.on('error', (e) => reject(new Error(`cannot run ${from.command}: ${e.message}`)));
    b.on('error', (e) => reject(new Error(`cannot run ${to.command}: ${e.message}`)));
    a.on('close', (code) => {
      codes[0] = code ?? 1;
      if (code !== 0) b.stdin!.destroy();
      done();
    });
    b.on('close', (code) => {
      codes[1] = code ?? 1;
      done();
    });
  });
}
