import type { Db } from '../core/db/database.ts';
import { wantedStorePaths } from '../core/db/gc-roots.ts';
import { rootedPaths, type GcRoots } from '../core/gc-roots.ts';

/** How often the roots are brought in line with the database (Hydra runs hydra-update-gc-roots from a timer). */
export const GC_ROOTS_INTERVAL_MS = 5 * 60_000;

/**
 * Roots every store path hydrant still needs and unroots the rest (wantedStorePaths says
 * which). Roots made while the database was being read stay: they may be for builds the
 * read did not see. The update is marked as begun before the read (GcRoots.updatedSince).
 */
export async function updateGcRoots(db: Db, roots: GcRoots): Promise<{ added: number; removed: number }> {
  roots.markUpdate();
  const since = Date.now();
  const wanted = wantedStorePaths(db);
  // One listing for both: a root made after it is newer than `since`, so prune would keep it anyway.
  const names = await roots.names();
  const have = new Set(rootedPaths(names));
  const added = roots.add([...wanted].filter((p) => !have.has(p)));
  const removed = await roots.prune(wanted, since, names);
  return { added, removed };
}
