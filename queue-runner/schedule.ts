import type { JobsetShare } from '../core/db/shares.ts';
import type { QueuedBuild, Step } from './step-graph.ts';

type Key = [number, number, number, number];

export interface KeyedStep {
  step: Step;
  key: Key;
}

/**
 * The jobsets' places in the fair share: 0 for the jobset that used the least build time
 * per scheduling share, 1 for the next, ...; equal use, equal place. A sort key holds the
 * place, not the figure: the figures change with every step that runs, the places seldom,
 * and an order sorted under the same places stays right (steps merged in later compare
 * with it), so the queue is sorted again only when the places change.
 */
export interface ShareRanks {
  rank: ReadonlyMap<number, number>;
  /** Equal signatures, equal places. */
  signature: string;
}

export function shareRanks(usage: ReadonlyMap<number, JobsetShare>): ShareRanks {
  // A jobset of no shares comes last.
  const perShare = (s: JobsetShare) => (s.shares > 0 ? s.usedSeconds / s.shares : Infinity);
  const sorted = [...usage.values()].sort((a, b) => perShare(a) - perShare(b) || a.jobsetId - b.jobsetId);
  const rank = new Map<number, number>();
  let place = 0;
  sorted.forEach((s, i) => {
    if (i > 0 && perShare(s) !== perShare(sorted[i - 1]!)) place = i;
    rank.set(s.jobsetId, place);
  });
  return { rank, signature: sorted.map((s) => `${s.jobsetId}:${rank.get(s.jobsetId)}`).join(',') };
}

/**
 * Hydra's order: bumped builds first (global priority), then the jobset that used the
 * least build time per scheduling share, then the job's meta.schedulingPriority, then the
 * oldest build. A step is as urgent as the most urgent build that needs it. Each step keeps
 * its sort key, so that more steps can be merged in later (mergeOrders).
 */
export function keyedOrder(steps: readonly Step[], shares: ShareRanks): KeyedStep[] {
  const keyed = steps.map((step) => {
    let best: Key | null = null;
    for (const b of step.builds) {
      const k: Key = [b.row.globalpriority, -(shares.rank.get(b.row.jobset_id) ?? 0), b.row.priority, -b.row.id];
      if (!best || compare(k, best) > 0) best = k;
    }
    return { step, key: best! };
  });
  keyed.sort((a, b) => compare(b.key, a.key));
  return keyed;
}

/**
 * `b` (a keyedOrder) merged into the order `a` from index `from` on; returns the order and its
 * head. Linear, where sorting again is not; and when all of `b` comes after `a`'s last step,
 * as each later batch of a big queue does (older builds first), `b` is appended to `a` in
 * place: copying the whole order for every batch taken in made taking in a queue quadratic.
 */
export function mergeOrders(
  a: KeyedStep[],
  from: number,
  b: readonly KeyedStep[],
): { steps: KeyedStep[]; head: number } {
  if (from >= a.length) return { steps: [...b], head: 0 };
  if (b.length === 0 || compare(b[0]!.key, a[a.length - 1]!.key) <= 0) {
    for (const s of b) a.push(s);
    return { steps: a, head: from };
  }
  const out: KeyedStep[] = [];
  let i = from;
  let j = 0;
  while (i < a.length && j < b.length) out.push(compare(b[j]!.key, a[i]!.key) > 0 ? b[j++]! : a[i++]!);
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return { steps: out, head: 0 };
}

/** The build a step is recorded under: one it is the top of, else the most urgent one. */
export function owningBuild(step: Step): QueuedBuild {
  const builds = [...step.builds];
  const own = builds.filter((b) => b.top === step);
  const pool = own.length ? own : builds;
  return pool.reduce((best, b) =>
    compare(
      [b.row.globalpriority, b.row.priority, -b.row.id, 0],
      [best.row.globalpriority, best.row.priority, -best.row.id, 0],
    ) > 0
      ? b
      : best,
  );
}

function compare(a: Key, b: Key): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}
