import { posix } from 'node:path';

const STORE_PATH = /^\/nix\/store\/[0-9a-df-np-sv-z]{32}-([^/]+)\/(.+)$/;
// Where Nix builds: /build/NAME/... in the sandbox, /tmp/nix-build-NAME.drv-N/NAME/... without it.
const BUILD_DIR = /^(?:\/build|\/tmp\/nix-build-[^/]+\.drv-\d+)\/[^/]+\/(.+)$/;

/**
 * The path a reader knows a source file by: relative to its source, without the store
 * hash or the build directory, so the table reads `nixos-example-programs/tinydb.c` or
 * `src/main.c`. Files at the top of a store path keep the path's name as their directory
 * (a bare `tinydb.c` would hide which source it is). Anything else (another absolute path,
 * `../` tricks) is shown as it is written, normalised, and marked outside any source.
 */
export function displayPath(sf: string): { path: string; outside: boolean } {
  const store = STORE_PATH.exec(sf);
  if (store) {
    const rest = posix.normalize(store[2]!);
    if (!rest.startsWith('../') && rest !== '..')
      return { path: rest.includes('/') ? rest : `${store[1]}/${rest}`, outside: false };
  }
  const build = BUILD_DIR.exec(sf);
  if (build) {
    const rest = posix.normalize(build[1]!);
    if (!rest.startsWith('../') && rest !== '..') return { path: rest, outside: false };
  }
  return { path: sf, outside: true };
}

/** The directory a file is listed under on the coverage page ("." for none). */
export function directoryOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '.' : path.slice(0, slash);
}
