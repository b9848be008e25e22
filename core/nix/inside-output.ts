import { realpathSync } from 'node:fs';
import { basename, join, posix } from 'node:path';

/** The Nix store this hydrant reads build outputs from (Debian's nix-bin: the default store). */
export const STORE_DIR = '/nix/store';

/** True when `path` is a top-level store path, `/nix/store/HASH-name`, not the store or a file below one. */
export function isStorePath(path: string): boolean {
  const name = path.startsWith(STORE_DIR + '/') ? path.slice(STORE_DIR.length + 1) : '';
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('\0');
}

/** The output among `outputs` that `path` names or lies under, by its spelling alone. */
export function outputContaining(outputs: readonly string[], path: string): string | undefined {
  const normal = posix.normalize(path);
  return outputs.find((o) => isStorePath(o) && (normal === o || normal.startsWith(o + '/')));
}

export type InsideOutput = { real: string } | { missing: true } | { outside: true };

/**
 * Resolves every symlink of `path` — the last component and each directory on the way —
 * and answers the real file only when it lies inside `output`, a store path. The check is
 * against the output, never against the file's own real path: a product that is itself a
 * link to `/` would otherwise become the root of its own check and let anything through.
 * An output that is itself a symlink contains nothing. Store paths never change once they
 * are valid, so the answer stays true while the file is opened.
 */
export function resolveInsideOutput(output: string, path: string): InsideOutput {
  const normal = posix.normalize(path);
  if (path.includes('\0') || !isStorePath(output) || !(normal === output || normal.startsWith(output + '/')))
    return { outside: true };
  let realOutput: string;
  try {
    realOutput = realpathSync(output);
    if (realOutput !== join(realpathSync(STORE_DIR), basename(output))) return { outside: true };
  } catch {
    return { missing: true };
  }
  let real: string;
  try {
    real = realpathSync(normal);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? { missing: true } : { outside: true };
  }
  return real === realOutput || real.startsWith(realOutput + '/') ? { real } : { outside: true };
}

/** The real path of `path` when it lies inside `output`, else null. */
export function realPathInsideOutput(output: string, path: string): string | null {
  const r = resolveInsideOutput(output, path);
  return 'real' in r ? r.real : null;
}
