import type { Db } from '../core/db/database.ts';
import { wantedStorePaths } from '../core/db/gc-roots.ts';
import type { GcRoots } from '../core/gc-roots.ts';
import { TimeSlice } from '../core/time-slice.ts';

/** How often the roots are brought in line with the database (Hydra runs hydra-update-gc-roots from a timer). */
export const GC_ROOTS_INTERVAL_MS = 5 * 60_000;

/**
 * Roots made at once before the event loop gets a turn (a link takes 0.02-0.03 ms, but up to
 * 0.4 ms while ext4 grows the directory).
 */
const ADD_CHUNK = 100;

/**
 * Roots every store path hydrant still needs and unroots the rest (wantedStorePaths says
 * which). Roots made while the database was being read stay: they may be for builds the
 * read did not see. The update is marked as begun before the read (GcRoots.updatedSince).
 *
 * It runs on the queue runner's thread beside the dispatch, so no part of it holds the
 * event loop for long: at 10 million builds 300,000 paths are wanted, and comparing them
 * with the directory's names in one go took 0.9-1.0 s, rooting them all into an empty
 * directory 5.5 s.
 */
export async function updateGcRoots(db: Db, roots: GcRoots): Promise<{ added: number; removed: number }> {
  roots.markUpdate();
  const since = Date.now();
  const wanted = await wantedStorePaths(db);
  // One listing for both: a root made after it is newer than `since`, so removal keeps it anyway.
  const names = await roots.names();
  const slice = new TimeSlice();
  const rooted = new Set<string>();
  const doomed: string[] = [];
  for (const name of names) {
    const path = `/nix/store/${name}`;
    if (wanted.has(path)) rooted.add(path);
    else doomed.push(name);
    if (slice.due()) await slice.pause();
  }
  const missing: string[] = [];
  for (const path of wanted) {
    if (!rooted.has(path)) missing.push(path);
    if (slice.due()) await slice.pause();
  }
  let added = 0;
  for (let i = 0; i < missing.length; i += ADD_CHUNK) {
    added += roots.add(missing.slice(i, i + ADD_CHUNK));
    if (i + ADD_CHUNK < missing.length) await slice.pause();
  }
  const removed = await roots.remove(doomed, since);
  return { added, removed };
}
