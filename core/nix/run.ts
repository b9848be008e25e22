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
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ }
    };
    const timer = options.timeoutSeconds ? setTimeout(() => { timedOut = true; killGroup(); }, options.timeoutSeconds * 1000) : undefined;
    options.signal?.addEventListener('abort', killGroup, { once: true });
    if (options.input !== undefined) child.stdin!.end(options.input);
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
