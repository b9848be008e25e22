import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { runProgram } from './nix/run.ts';

export interface GitRevision {
  url: string;
  branch: string | null;
  rev: string;
  shortRev: string;
  revCount: number;
  /** The bare mirror holding the revision. */
  mirror: string;
}

export class GitError extends Error {}

/** Hydra's git input value: `URL [BRANCH]`. */
export function parseGitInputValue(value: string): { url: string; branch: string | null } {
  const [url, branch] = value.trim().split(/\s+/);
  return { url: url ?? '', branch: branch ?? null };
}

/**
 * Brings the mirror of `url` up to date (cloned once per URL, fetched after) and resolves
 * the branch (default: the remote's HEAD). Mirrors live in cacheDir/<sha256 of url>.git.
 */
export async function fetchGitRevision(cacheDir: string, url: string, branch: string | null): Promise<GitRevision> {
  const mirror = mirrorPath(cacheDir, url);
  mkdirSync(cacheDir, { recursive: true });
  try {
    if (!existsSync(join(mirror, 'HEAD'))) {
      await simpleGit().clone(url, mirror, ['--bare', '--quiet']);
    } else {
      await simpleGit(mirror).fetch([
        '--quiet',
        '--prune',
        '--force',
        url,
        '+refs/heads/*:refs/heads/*',
        '+HEAD:refs/hydrant/HEAD',
      ]);
    }
    const git = simpleGit(mirror);
    let ref = existsSync(join(mirror, 'refs', 'hydrant', 'HEAD')) ? 'refs/hydrant/HEAD' : 'HEAD';
    if (branch) ref = `refs/heads/${branch}`;
    const rev = (await git.revparse([`${ref}^{commit}`])).trim();
    const revCount = Number((await git.raw(['rev-list', '--count', rev])).trim());
    return { url, branch, rev, shortRev: rev.slice(0, 7), revCount, mirror };
  } catch (e) {
    throw new GitError(`git input ${url}${branch ? ` (branch ${branch})` : ''}: ${firstLine((e as Error).message)}`);
  }
}

/** Where the mirror of `url` lives under cacheDir (STATE_DIR/git). */
export function mirrorPath(cacheDir: string, url: string): string {
  return join(cacheDir, createHash('sha256').update(url).digest('hex').slice(0, 32) + '.git');
}

export interface Commit {
  hash: string;
  author: string;
  email: string;
  subject: string;
}

const HEX_REV = /^[0-9a-f]{40}$/;

/**
 * The commits reachable from `to` but not from `from` (all of `to`'s history when from is
 * null), newest first: how many, and the first `max` of them. Reads only the mirror; the
 * revisions must be full hashes, so nothing from a spec reaches git as an option.
 */
export async function commitsBetween(
  mirror: string,
  from: string | null,
  to: string,
  max: number,
): Promise<{ count: number; commits: Commit[] }> {
  if (!HEX_REV.test(to) || (from !== null && !HEX_REV.test(from)))
    throw new GitError(`not a revision: ${from ?? ''}..${to}`);
  const range = from ? [`${from}..${to}`] : [to];
  const counted = await runProgram('git', ['-C', mirror, 'rev-list', '--count', ...range]);
  if (counted.code !== 0) throw new GitError(`git rev-list in ${mirror}: ${counted.stderr.trim()}`);
  const count = Number(counted.stdout.trim());
  if (max <= 0 || count === 0) return { count, commits: [] };
  const listed = await runProgram('git', [
    '-C',
    mirror,
    'log',
    '--no-show-signature',
    `--max-count=${max}`,
    '--format=%H%x00%an%x00%ae%x00%s%x1e',
    ...range,
  ]);
  if (listed.code !== 0) throw new GitError(`git log in ${mirror}: ${listed.stderr.trim()}`);
  const commits = listed.stdout
    .split('\x1e')
    .map((r) => r.replace(/^\n/, ''))
    .filter(Boolean)
    .map((record) => {
      const [hash = '', author = '', email = '', subject = ''] = record.split('\0');
      return { hash, author, email, subject };
    });
  return { count, commits };
}

/** Writes the tree of `rev` (no .git) into dest, which must not exist yet. */
export async function exportRevision(mirror: string, rev: string, dest: string): Promise<void> {
  mkdirSync(dest, { recursive: true });
  const result = await runProgram('sh', [
    '-c',
    'git -C "$1" archive --format=tar "$2" | tar -x -C "$3"',
    'export',
    mirror,
    rev,
    dest,
  ]);
  if (result.code !== 0) throw new GitError(`cannot export ${rev} from ${mirror}: ${result.stderr.trim()}`);
}

function firstLine(message: string): string {
  return message
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(0, 3)
    .join(' ');
}
