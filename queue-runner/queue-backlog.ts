import type { Db } from '../core/db/database.ts';
import { buildsAfter, queuedBuildIds, unfinishedBuildsOf } from '../core/db/build-results.ts';
import type { QueuedBuildRow } from '../core/model/rows.ts';
import type { StepGraph } from './step-graph.ts';

/**
 * Builds taken in per tick: small enough that the first step of a 100,000-build queue starts
 * at once (Hydra #212), and that steps already running are not held up: a step that ends
 * waits for the tick to hand its machine the next one (a batch of 500 held them 15-50 ms).
 */
export const ADMIT_BATCH = 100;
/**
 * How often the whole queue is listed again once it is all in: a safety net for builds queued
 * again under an old id by something else than a command (those relist at once). Not while a
 * listing is still being taken in: 100,000 ids held the event loop 40-70 ms, for nothing new.
 */
const RESCAN_INTERVAL_MS = 10_000;

/**
 * The queued builds the runner has not taken into its step graph yet, most urgent first.
 * Reading every queued row and derivation before the first step (Hydra #212: 88 s with
 * 140k pending) is replaced by a list of ids read from the queue's index, taken in a batch
 * at a time; and a tick while steps run asks only for builds newer than any seen (the
 * evaluator's), not for the whole queue again.
 */
export class QueueBacklog {
  private ids: number[] = [];
  private newestSeen = 0;
  private listedAt = -Infinity;

  /** More builds wait to be taken in: the next tick should come soon. */
  get pending(): boolean {
    return this.ids.length > 0;
  }

  /**
   * The next batch of builds to take in. `relist`: list the whole queue again (at start,
   * after commands that may have queued old builds again); it is also done every few seconds
   * once the last listing is all taken in.
   */
  next(db: Db, graph: StepGraph, relist: boolean): QueuedBuildRow[] {
    if (relist || (this.ids.length === 0 && Date.now() - this.listedAt >= RESCAN_INTERVAL_MS)) this.relist(db, graph);
    else {
      const fresh = buildsAfter(db, this.newestSeen);
      for (const b of fresh) if (!b.finished && !graph.builds.has(b.id)) this.ids.push(b.id);
      if (fresh.length) this.newestSeen = fresh[fresh.length - 1]!.id;
    }
    const ids = [...new Set(this.ids.splice(0, ADMIT_BATCH))].filter((id) => !graph.builds.has(id));
    return ids.length ? unfinishedBuildsOf(db, ids) : [];
  }

  private relist(db: Db, graph: StepGraph): void {
    this.listedAt = Date.now();
    const { ids, newestId } = queuedBuildIds(db);
    this.ids = ids.filter((id) => !graph.builds.has(id));
    this.newestSeen = newestId;
  }
}
