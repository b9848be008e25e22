// What changed between two evaluations, by job name, as the evaluation page shows it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobState } from '../../../core/db/eval-pages.ts';
import { BuildStatus } from '../../../core/model/status.ts';
import { diffEvals } from '../../../server/views/eval-diff.ts';

let nextId = 1;
const done = (job: string, buildstatus: number): JobState => ({ job, buildId: nextId++, finished: 1, buildstatus });
const queued = (job: string): JobState => ({ job, buildId: nextId++, finished: 0, buildstatus: null });

test('two evaluations compare by job: new, removed, newly failing and newly succeeding', () => {
  const before = [done('same', 0), done('breaks', 0), done('heals', 1), done('gone', 0), done('waits', 1)];
  const now = [
    done('same', 0),
    done('heals', 0),
    done('breaks', BuildStatus.Failed),
    done('fresh', 1),
    queued('waits'),
  ];
  const diff = diffEvals(now, before);
  const jobs = (xs: JobState[]) => xs.map((x) => x.job);
  assert.deepEqual(jobs(diff.added), ['fresh']);
  assert.deepEqual(jobs(diff.removed), ['gone']);
  assert.deepEqual(jobs(diff.newlyFailing), ['breaks']);
  assert.deepEqual(jobs(diff.newlySucceeding), ['heals']);
  assert.equal(diff.newlyFailing[0], now[2], "the entry is the current evaluation's build");
});

test('an unfinished build counts as neither failing nor succeeding', () => {
  const diff = diffEvals([queued('a'), done('b', 1)], [done('a', 0), queued('b')]);
  assert.deepEqual(diff.newlyFailing, []);
  assert.deepEqual(diff.newlySucceeding, []);
});

test('lists are sorted by job name whatever the order of the rows', () => {
  const diff = diffEvals([done('z', 1), done('a', 1), done('m', 1)], []);
  assert.deepEqual(
    diff.added.map((s) => s.job),
    ['a', 'm', 'z'],
  );
});
