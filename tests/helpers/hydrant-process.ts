import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../core/paths.ts';
import { waitFor } from './wait.ts';

/** `hydrant start` as a real process (through tsx), as a user runs it. */
export class HydrantProcess {
  private child: ChildProcess | undefined;
  private output = '';
  url = '';

  constructor(
    private readonly args: string[],
    private readonly env: NodeJS.ProcessEnv = {},
  ) {}

  async start(): Promise<this> {
    this.output = '';
    this.child = spawn(process.execPath, ['--import', 'tsx', join(PACKAGE_ROOT, 'cli', 'hydrant.ts'), ...this.args], {
      cwd: PACKAGE_ROOT,
      env: { ...process.env, HYDRANT_LOG_LEVEL: 'info', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (d: Buffer) => {
      this.output += d.toString('utf8');
    };
    this.child.stdout!.on('data', collect);
    this.child.stderr!.on('data', collect);
    const exited = new Promise<never>((_, reject) =>
      this.child!.once('exit', (code) => reject(new Error(`hydrant exited early (${code}):\n${this.output}`))),
    );
    const listening = waitFor(
      'hydrant to listen',
      () => /"url":"(http:[^"]+)","msg":"web server listening"/.exec(this.output)?.[1],
      60,
    );
    this.url = await Promise.race([listening, exited]);
    return this;
  }

  logs(): string {
    return this.output;
  }

  /** SIGTERM, then wait for exit; returns the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null) return child?.exitCode ?? null;
    const done = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill(signal);
    // A process that does not stop within a minute is killed, so a test fails instead of hanging.
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    try {
      return await done;
    } finally {
      clearTimeout(killer);
    }
  }
}
