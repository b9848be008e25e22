import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { nixEnv } from './options.ts';

export interface NarStream {
  /** The store path's NAR, xz-compressed as Hydra serves it, produced as fast as it is read. */
  stream: Readable;
  /** Ends both processes (the client went away). */
  stop(): void;
  /** Resolves with an error message if nix-store or xz failed, null if both succeeded. */
  done: Promise<string | null>;
}

/**
 * `nix-store --dump PATH | xz`, as Hydra's NixNAR view runs it, but without a shell and
 * with the pipe between the two processes, so the NAR is never held in memory: the HTTP
 * response's back-pressure pauses xz, which pauses nix-store.
 */
export function compressedNar(path: string): NarStream {
  const dump = spawn('nix-store', ['--dump', path], { env: nixEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const xz = spawn('xz', ['-0', '-c', '-T1'], { stdio: ['pipe', 'pipe', 'pipe'] });
  dump.stdout.pipe(xz.stdin);
  xz.stdin.on('error', () => {
    /* xz died; its exit code says why */
  });
  const stderr: string[] = [];
  const collect = (d: Buffer) => {
    if (stderr.join('').length < 4096) stderr.push(d.toString());
  };
  dump.stderr.on('data', collect);
  xz.stderr.on('data', collect);
  const exit = (child: ReturnType<typeof spawn>) =>
    new Promise<number>((resolve) => {
      child.on('error', () => resolve(127));
      child.on('close', (code) => resolve(code ?? 1));
    });
  const done = Promise.all([exit(dump), exit(xz)]).then(([a, b]) =>
    a === 0 && b === 0 ? null : `nix-store --dump exited ${a}, xz ${b}: ${stderr.join('').trim()}`,
  );
  return {
    stream: xz.stdout,
    stop() {
      dump.kill('SIGKILL');
      xz.kill('SIGKILL');
    },
    done,
  };
}
