// Steps that become runnable are merged into the dispatcher's order without sorting it again;
// a big queue's later batches (older builds first) are appended in place, not copied with it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keyedOrder, mergeOrders, shareRanks } from '../../queue-runner/schedule.ts';
import type { QueuedBuild, Step } from '../../queue-runner/step-graph.ts';
import type { QueuedBuildRow } from '../../core/model/rows.ts';

const ranks = shareRanks(new Map([[1, { jobsetId: 1, shares: 100, usedSeconds: 0 }]]));

/** A runnable step needed by one build of this id and priority. */
function stepOf(id: number, priority = 100): Step {
  const step: Step = {
    drvPath: `/nix/store/${String(id).padStart(32, '0')}-s.drv`,
    system: 'x86_64-linux',
    outputs: {},
    requiredFeatures: [],
    kind: 'x86_64-linux',
    deps: new Set(),
    rdeps: new Set(),
    builds: new Set(),
    running: false,
    tries: 0,
    notBefore: 0,
    unsupportedSince: null,
  };
  const row = { id, jobset_id: 1, priority, globalpriority: 0 } as QueuedBuildRow;
  step.builds.add({ row, top: step, steps: new Set([step]) } as QueuedBuild);
  return step;
}

const ids = (order: { steps: { step: Step }[]; head: number }) =>
  order.steps.slice(order.head).map((k) => [...k.step.builds][0]!.row.id);

test('later steps are appended to the order itself, from its head on', () => {
  const a = keyedOrder(
    [1, 2, 3, 4].map((i) => stepOf(i)),
    ranks,
  );
  const merged = mergeOrders(
    a,
    1,
    keyedOrder(
      [6, 5].map((i) => stepOf(i)),
      ranks,
    ),
  );
  assert.equal(merged.steps, a, 'not a copy');
  assert.deepEqual(ids(merged), [2, 3, 4, 5, 6]);
});

test('more urgent steps are merged in their place; an order used up is replaced', () => {
  const a = keyedOrder(
    [1, 3, 5].map((i) => stepOf(i)),
    ranks,
  );
  const merged = mergeOrders(a, 1, keyedOrder([stepOf(4), stepOf(2), stepOf(9, 200)], ranks));
  assert.deepEqual(ids(merged), [9, 2, 3, 4, 5]);
  assert.deepEqual(ids(mergeOrders(a, a.length, keyedOrder([stepOf(7)], ranks))), [7]);
});
