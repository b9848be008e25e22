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
  const mirror = join(cacheDir, createHash('sha256').update(url).digest('hex').slice(0, 32) + '.git');
  mkdirSync(cacheDir, { recursive: true });
  try {
    if (!existsSync(join(mirror, 'HEAD'))) {
      await simpleGit().clone(url, mirror, ['--bare', '--quiet']);
    } else {
      await simpleGit(mirror).fetch(['--quiet', '--prune', '--force', url, '+refs/heads/*:refs/heads/*', '+HEAD:refs/hydrant/HEAD']);
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

/** Writes the tree of `rev` (no .git) into dest, which must not exist yet. */
export async function exportRevision(mirror: string, rev: string, dest: string): Promise<void> {
  mkdirSync(dest, { recursive: true });
  const result = await runProgram('sh', ['-c', 'git -C "$1" archive --format=tar "$2" | tar -x -C "$3"', 'export', mirror, rev, dest]);
  if (result.code !== 0) throw new GitError(`cannot export ${rev} from ${mirror}: ${result.stderr.trim()}`);
}

function firstLine(message: string): string {
  return message.split('\n').map((l) => l.trim()).filter(Boolean).slice(0, 3).join(' ');
}
