import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SshTarget } from './machines.ts';
import { NIX_OPTIONS } from './options.ts';

/** ssh exits with 255 when the connection failed or broke; the remote command's own status otherwise. */
export const SSH_CONNECTION_FAILED = 255;

/**
 * ssh arguments for reaching a build machine. Never prompts (BatchMode), gives up on a dead
 * peer within seconds (ServerAlive*), and pins the machines file's HOSTKEY in a known_hosts
 * file of our own instead of reading or writing the user's. NIX_SSHOPTS is honoured as
 * nix-copy-closure honours it. The pinned keys are written under `knownHostsDir` (the state
 * directory's ssh/), never a shared temporary path another local user could plant a key in.
 */
export function sshArgs(
  target: SshTarget,
  env: NodeJS.ProcessEnv = process.env,
  knownHostsDir: string = privateDir(),
): string[] {
  const args = [
    '-o',
    'BatchMode=yes',
    '-o',
    'LogLevel=ERROR',
    '-o',
    'ConnectTimeout=10',
    '-o',
    'ServerAliveInterval=5',
    '-o',
    'ServerAliveCountMax=3',
  ];
  if (target.port) args.push('-p', String(target.port));
  if (target.identityFile) args.push('-i', target.identityFile);
  if (target.hostKey)
    args.push('-o', `UserKnownHostsFile=${knownHostsFile(target, knownHostsDir)}`, '-o', 'StrictHostKeyChecking=yes');
  args.push(...(env.NIX_SSHOPTS ?? '').split(/\s+/).filter(Boolean));
  return [...args, target.destination];
}

let ownDir: string | undefined;
/** Without a state directory (a Nix of tests and tools): a directory of this process's own, mode 0700. */
function privateDir(): string {
  ownDir ??= mkdtempSync(join(tmpdir(), 'hydrant-known-hosts-'));
  return ownDir;
}

function knownHostsFile(target: SshTarget, dir: string): string {
  const hostPattern = target.port && target.port !== 22 ? `[${target.host}]:${target.port}` : target.host;
  const line = `${hostPattern} ${target.hostKey}\n`;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, createHash('sha256').update(line).digest('hex').slice(0, 20));
  writeFileSync(file, line);
  return file;
}

export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./=:@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * A command line for the remote shell running a Nix tool with hydrant's options. NIX_CONFIG
 * rather than --option so that it also reaches tools that take no options (--serve, --import).
 */
export function remoteNixCommand(tool: string, args: readonly string[], extra: Record<string, string> = {}): string {
  const config = Object.entries({ ...NIX_OPTIONS, ...extra })
    .map(([k, v]) => `${k} = ${v}`)
    .join('\n');
  return ['env', shellQuote(`NIX_CONFIG=${config}`), tool, ...args.map(shellQuote)].join(' ');
}
