// The fair share as places: the jobset that used the least build time per share first, equal
// use sharing a place, a jobset of no shares last; the signature changes only with the places.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shareRanks } from '../../queue-runner/schedule.ts';

const usage = (rows: [number, number, number][]) =>
  new Map(rows.map(([jobsetId, shares, usedSeconds]) => [jobsetId, { jobsetId, shares, usedSeconds }]));

test('places follow build time per share; ties share a place; no shares comes last', () => {
  const r = shareRanks(
    usage([
      [1, 100, 50],
      [2, 100, 10],
      [3, 200, 20],
      [4, 0, 0],
    ]),
  );
  assert.deepEqual(
    [...r.rank].sort((a, b) => a[0] - b[0]),
    [
      [1, 2],
      [2, 0],
      [3, 0],
      [4, 3],
    ],
  );
});

test('the signature stays while the places do, whatever the figures', () => {
  const before = shareRanks(
    usage([
      [1, 100, 10],
      [2, 100, 20],
    ]),
  ).signature;
  assert.equal(
    shareRanks(
      usage([
        [1, 100, 15],
        [2, 100, 90],
      ]),
    ).signature,
    before,
  );
  assert.notEqual(
    shareRanks(
      usage([
        [1, 100, 30],
        [2, 100, 20],
      ]),
    ).signature,
    before,
  );
});
