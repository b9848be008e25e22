// The fair share's figures: build time per jobset in the window, running steps up to now,
// a step that began before the window counted from its start, propagated steps not at all.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase } from '../../../core/db/database.ts';
import { registerEvaluation } from '../../../core/db/evals.ts';
import { migrate } from '../../../core/db/migrate.ts';
import { jobsetShareUsage } from '../../../core/db/shares.ts';
import { addTimedStep, evalBuilds, evaluatedJob, setSchedulingShares } from '../../helpers/db.ts';
import { addJobset, addProject } from '../../helpers/web-fixture.ts';

test('build time per jobset in the window, with its shares', () => {
  const db = openDatabase(':memory:');
  migrate(db);
  addProject(db, 'p');
  const ids = ['busy', 'idle', 'old'].map((name) => addJobset(db, 'p', name));
  setSchedulingShares(db, 'idle', 300);
  const buildOf = (jobsetId: number, job: string) => {
    const { evalId } = registerEvaluation(db, {
      jobsetId,
      inputsHash: job,
      checkoutSeconds: 0,
      evalSeconds: 0,
      nixexprinput: 'src',
      nixexprpath: 'release.nix',
      inputs: [],
      jobs: [evaluatedJob(job, `/nix/store/${job.padEnd(32, '0')}-${job}.drv`)],
      errors: [],
    });
    return evalBuilds(db, evalId)[0]!.id;
  };
  const [since, at] = [1_000_000, 1_086_400];
  const busy = buildOf(ids[0]!, 'a');
  addTimedStep(db, busy, 1, since + 100, since + 160); // 60 s inside the window
  addTimedStep(db, busy, 2, since - 50, since + 20); // 20 s of it inside
  addTimedStep(db, busy, 3, at - 30, null); // running: 30 s so far
  addTimedStep(db, busy, 4, since + 200, since + 900, busy); // propagated: no build time
  addTimedStep(db, busy, 5, null, since + 500); // never started (a cached failure): none
  const old = buildOf(ids[2]!, 'b');
  addTimedStep(db, old, 1, since - 500, since - 1); // before the window
  const usage = jobsetShareUsage(db, since, at);
  assert.deepEqual(
    ids.map((id) => usage.get(id)),
    [
      { jobsetId: ids[0], shares: 100, usedSeconds: 110 },
      { jobsetId: ids[1], shares: 300, usedSeconds: 0 },
      { jobsetId: ids[2], shares: 100, usedSeconds: 0 },
    ],
  );
});
