import { realpathSync } from 'node:fs';
import { isAbsolute, normalize, resolve, sep } from 'node:path';

/**
 * Where a `path` input may point. Its directory is copied whole into the Nix store, which
 * every build and every visitor of a product can read: so only under directories an admin
 * allowed (`--allowed-paths`), and never the state directory, nor a directory holding it
 * (the database, sessions and logs would land in the store).
 */
export interface PathRules {
  allowed: readonly string[];
  stateDir: string;
}

/** The path with its symlinks resolved, as far as it exists (a link must not lead around the rules). */
function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return normalize(path);
  }
}

const within = (path: string, dir: string) => path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);

/** Why `path` may not be a path input, or null when it may. */
export function pathInputProblem(path: string, rules: PathRules): string | null {
  if (!isAbsolute(path)) return `path ${JSON.stringify(path)} must be absolute`;
  const target = real(resolve(path));
  const state = real(resolve(rules.stateDir));
  if (within(target, state) || within(state, target)) return `path ${JSON.stringify(path)} is or holds hydrant's state directory`;
  if (!rules.allowed.some((dir) => within(target, real(resolve(dir))))) {
    return `path ${JSON.stringify(path)} is not under a directory allowed for path inputs (--allowed-paths: ${rules.allowed.join(':') || 'none'})`;
  }
  return null;
}

/** The rules a configuration sets. */
export function pathRulesOf(config: { allowedPaths: readonly string[]; stateDir: string }): PathRules {
  return { allowed: config.allowedPaths, stateDir: config.stateDir };
}
