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
  if (within(target, state) || within(state, target))
    return `path ${JSON.stringify(path)} is or holds hydrant's state directory`;
  if (!rules.allowed.some((dir) => within(target, real(resolve(dir))))) {
    return (
      `path ${JSON.stringify(path)} is not under a directory allowed for path inputs ` +
      `(--allowed-paths: ${rules.allowed.join(':') || 'none'})`
    );
  }
  return null;
}

/** The rules a configuration sets. */
export function pathRulesOf(config: { allowedPaths: readonly string[]; stateDir: string }): PathRules {
  return { allowed: config.allowedPaths, stateDir: config.stateDir };
}

const REMOTE_SCHEMES = ['https', 'http', 'ssh', 'git', 'git+ssh', 'ssh+git'];

/**
 * Why `url` may not be a git input's repository, or null when it may. Remote URLs of the
 * usual transports pass; a local repository (a path or file://) follows the path rules
 * (another project's mirror under the state directory is not anyone's input); options
 * (`--upload-pack=…`) and transport helpers (`ext::sh -c …`) are refused outright.
 */
export function gitUrlProblem(url: string, rules: PathRules | undefined): string | null {
  if (url.startsWith('-') || /[\s\0]/.test(url)) return `repository ${JSON.stringify(url)} is not a URL`;
  if (/^[A-Za-z][\w+.-]*::/.test(url))
    return `repository ${JSON.stringify(url)}: git transport helpers are not allowed`;
  const scheme = /^([A-Za-z][\w+.-]*):\/\//.exec(url)?.[1]?.toLowerCase();
  if (scheme && scheme !== 'file') {
    return REMOTE_SCHEMES.includes(scheme)
      ? null
      : `repository ${JSON.stringify(url)}: the ${scheme}:// transport is not allowed`;
  }
  // scp-like user@host:path (a colon before any slash) is ssh.
  if (!scheme && /^[^/]*:/.test(url)) return null;
  if (!rules) return null;
  const path = scheme ? decodeURIComponent(url.slice('file://'.length)) : url;
  const problem = pathInputProblem(path, rules);
  return problem && `local repository: ${problem}`;
}
