// Not a benchmark: what a bench leaves in the Nix store. A run of bench/big-queue writes about
// 200,000 store paths (a .drv and an output per build) and Nix slows as the store grows (a
// trivial step took 7 ms here at 0.4 million paths and 12 ms at 4.4 million), so a bench
// deletes its own paths at the end: run N is not measured on the leftovers of run N-1.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { openDatabase } from '../core/db/database.ts';

/** Paths per `nix-store --delete`: each call finds the garbage collector's roots once. */
const CHUNK = 20_000;

/**
 * The outputs, then the .drv files, of every build in these hydrant databases, then the copies of
 * their evaluations' path inputs: Nix refuses to delete a .drv whose output is still there
 * (keep-derivations), even in the same call, and a source a .drv still refers to.
 */
export function storePathsOf(dbPaths: readonly string[]): string[] {
  const outputs = new Set<string>();
  const drvs = new Set<string>();
  const sources = new Set<string>(); // path inputs' copies, which the .drv files refer to
  for (const file of dbPaths) {
    if (!existsSync(file)) continue; // the run stopped before it
    const db = openDatabase(file);
    for (const r of db.prepare('SELECT path FROM build_outputs').all() as { path: string }[]) outputs.add(r.path);
    for (const r of db.prepare('SELECT drvpath FROM builds').all() as { drvpath: string }[]) drvs.add(r.drvpath);
    const inputs = db.prepare("SELECT path FROM jobset_eval_inputs WHERE path LIKE '/nix/store/%'").all();
    for (const r of inputs as { path: string }[]) sources.add(r.path);
    db.close();
  }
  return [...outputs, ...drvs, ...sources];
}

/**
 * Everything these derivations brought into the store (their closures: .drv files, sources,
 * and the outputs of every step, a chain's inner ones too), in storePathsOf's order: outputs,
 * .drv files, sources. For benches that make nothing else: a source shared with something
 * rooted makes its chunk refused, which deleteStorePaths reports.
 */
export function closuresOf(drvPaths: readonly string[]): string[] {
  if (drvPaths.length === 0) return [];
  const closure = nixStoreQuery(['--requisites', ...drvPaths]);
  const drvs = closure.filter((p) => p.endsWith('.drv'));
  const sources = closure.filter((p) => !p.endsWith('.drv'));
  return [...nixStoreQuery(['--outputs', ...drvs]), ...drvs, ...sources];
}

/** The store paths `nix-store --query ARGS` prints. */
function nixStoreQuery(args: readonly string[]): string[] {
  const run = spawnSync('nix-store', ['--query', ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return run.stdout.split('\n').filter((p) => p.startsWith('/nix/store/'));
}

/**
 * Deletes these store paths in order, a chunk per `nix-store --delete`, and says how many went
 * and how long it took. Nix refuses a whole chunk that holds a path still alive (rooted, or
 * needed by one that is); it is counted as not deleted. The Nix database is not synced for each
 * path deleted: 900-1,750 paths a second here (about 500 synced), 2-4 minutes a big-queue run.
 */
export function deleteStorePaths(paths: readonly string[]): void {
  const started = performance.now();
  let failed = 0;
  for (let i = 0; i < paths.length; i += CHUNK) {
    const chunk = paths.slice(i, i + CHUNK);
    const run = spawnSync('nix-store', ['--delete', '--option', 'fsync-metadata', 'false', ...chunk], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    if (run.status !== 0) {
      failed += chunk.length;
      console.log(`nix-store --delete of ${chunk.length} paths failed: ${run.stderr.trim().split('\n').pop()}`);
    }
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  console.log(
    `deleted the ${paths.length - failed} store paths this run made in ${seconds} s (--keep-paths keeps them)`,
  );
}
