import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { LogFile } from '../logs.ts';

/** Where Nix keeps build logs (`nix-store -l` reads them): NIX_LOG_DIR, /nix/var/log/nix by default. */
export function nixLogDir(): string {
  return process.env.NIX_LOG_DIR || '/nix/var/log/nix';
}

/** drvs/XX/REST, as Nix 2.x writes and reads it (with .bz2 when compressed). */
export function nixLogPath(drvPath: string, logDir = nixLogDir()): string {
  const base = basename(drvPath);
  return join(logDir, 'drvs', base.slice(0, 2), base.slice(2));
}

/** The log Nix (or a queue runner, as Hydra's does) kept for this derivation, if any. */
export function nixLogFile(drvPath: string, logDir = nixLogDir()): LogFile | null {
  const path = nixLogPath(drvPath, logDir);
  const flat = join(logDir, 'drvs', basename(drvPath));
  for (const p of [path, flat]) {
    if (existsSync(p)) return { path: p, compression: 'none' };
    if (existsSync(`${p}.bz2`)) return { path: `${p}.bz2`, compression: 'bzip2' };
  }
  return null;
}

/**
 * Keeps a step's log where Nix keeps build logs, bzip2-compressed as Nix itself and Hydra's
 * queue runner write them, so `nix-store -l DRV` shows it and another hydrant on this
 * machine, or a jobset that finds the outputs already built, shows the log of the build
 * that made them. Written to a temporary name and renamed: a reader never sees half a file.
 */
export async function keepNixLog(plainLog: string, drvPath: string, logDir = nixLogDir()): Promise<string> {
  const target = `${nixLogPath(drvPath, logDir)}.bz2`;
  mkdirSync(dirname(target), { recursive: true });
  const temp = `${target}.${process.pid}.tmp`;
  const bzip2 = spawn('bzip2', ['-c'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const exited = new Promise<void>((resolve, reject) => {
    bzip2.once('error', reject);
    bzip2.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`bzip2 exited with code ${code}`))));
  });
  try {
    await Promise.all([
      pipeline(createReadStream(plainLog), bzip2.stdin),
      pipeline(bzip2.stdout, createWriteStream(temp)),
      exited,
    ]);
    renameSync(temp, target);
    rmSync(nixLogPath(drvPath, logDir), { force: true }); // an uncompressed one would be read first
  } catch (e) {
    try {
      unlinkSync(temp);
    } catch {
      /* never written */
    }
    bzip2.kill();
    throw e;
  }
  return target;
}

/**
 * keepNixLog for a small log held in memory: kept uncompressed, which Nix reads as well
 * (`nix-store -l` looks for drvs/XX/REST before REST.bz2), with no process: a bzip2 per log
 * cost more than the rest of a trivial step's bookkeeping, and the last logs of a run waited
 * for one. A .bz2 kept of an earlier build goes, so the newest is read. The file system
 * calls go through the thread pool: creating a file here waits for the journal while Nix
 * registers outputs (half a millisecond each in a chain of builds), which would hold up the
 * queue runner's event loop. The directory (one of 256) is made only when a write finds it
 * missing: a mkdir per log cost the event loop as much as the rest of this.
 */
export async function keepSmallNixLog(text: Buffer, drvPath: string, logDir = nixLogDir()): Promise<string> {
  const target = nixLogPath(drvPath, logDir);
  const temp = `${target}.${process.pid}.tmp`;
  try {
    await writeFile(temp, text).catch(async (e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
      await mkdir(dirname(target), { recursive: true });
      await writeFile(temp, text);
    });
    await rename(temp, target);
  } catch (e) {
    await unlinkIfThere(temp);
    throw e;
  }
  await unlinkIfThere(`${target}.bz2`);
  return target;
}

/** Removes a file that may not exist: one unlink, where `rm(path, { force: true })` walks it as a tree. */
async function unlinkIfThere(path: string): Promise<void> {
  await unlink(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw e;
  });
}

/**
 * keepNixLog for many logs with one process, a shell that runs bzip2 for each: every process
 * the queue runner starts costs it milliseconds of CPU (a fork of a big process), as much as
 * Nix's own work for a small step. Resolves with the plain logs that could not be kept.
 */
export function keepNixLogs(
  logs: readonly { plainLog: string; drvPath: string }[],
  logDir = nixLogDir(),
): Promise<Set<string>> {
  const failed = new Set<string>();
  const args: string[] = [];
  for (const l of logs) {
    const target = `${nixLogPath(l.drvPath, logDir)}.bz2`;
    try {
      mkdirSync(dirname(target), { recursive: true });
      args.push(l.plainLog, target);
    } catch {
      failed.add(l.plainLog);
    }
  }
  if (args.length === 0) return Promise.resolve(failed);
  // Each to a temporary name and renamed, as keepNixLog: a reader never sees half a file. An
  // uncompressed log of an earlier build (keepSmallNixLog) would be read first: it goes.
  const script =
    'while [ $# -gt 1 ]; do t="$2.$$.tmp"; if bzip2 -c < "$1" > "$t" && mv "$t" "$2"; then rm -f "${2%.bz2}"; ' +
    'else rm -f "$t"; printf "%s\\n" "$1"; fi; shift 2; done';
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', script, 'sh', ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
    });
    child.once('error', reject);
    child.once('close', () => {
      for (const line of out.split('\n')) if (line) failed.add(line);
      resolve(failed);
    });
  });
}
