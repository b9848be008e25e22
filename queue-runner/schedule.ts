import type { JobsetShare } from '../core/db/shares.ts';
import type { QueuedBuild, Step } from './step-graph.ts';

type Key = [number, number, number, number];

export interface KeyedStep {
  step: Step;
  key: Key;
}

/**
 * Hydra's order: bumped builds first (global priority), then the jobset that used the
 * least build time per scheduling share, then the job's meta.schedulingPriority, then the
 * oldest build. A step is as urgent as the most urgent build that needs it. Each step keeps
 * its sort key, so that more steps can be merged in later (mergeOrders).
 */
export function keyedOrder(steps: readonly Step[], usage: ReadonlyMap<number, JobsetShare>): KeyedStep[] {
  const key = (b: QueuedBuild): Key => {
    const share = usage.get(b.row.jobset_id);
    const perShare = share ? share.usedSeconds / share.shares : 0;
    return [b.row.globalpriority, -perShare, b.row.priority, -b.row.id];
  };
  const keyed = steps.map((step) => ({ step, key: bestKey([...step.builds].map(key)) }));
  keyed.sort((a, b) => compare(b.key, a.key));
  return keyed;
}

/** Two orders (keyedOrder) as one, `a` from index `from` on: linear, where sorting again is not. */
export function mergeOrders(a: readonly KeyedStep[], from: number, b: readonly KeyedStep[]): KeyedStep[] {
  const out: KeyedStep[] = [];
  let i = from;
  let j = 0;
  while (i < a.length && j < b.length) out.push(compare(b[j]!.key, a[i]!.key) > 0 ? b[j++]! : a[i++]!);
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
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

function bestKey(keys: Key[]): Key {
  return keys.reduce((best, k) => (compare(k, best) > 0 ? k : best));
}

function compare(a: Key, b: Key): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}
