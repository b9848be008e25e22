// When the evaluator evaluates: Hydra's enabled states, limits, and evaluations that run
// independently of each other. Real git, real nix, real database.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { BuildStatus } from '../../core/model/status.ts';
import { evalBuilds, finishStepAndBuild, plainResult } from '../helpers/db.ts';
import { listEvals } from '../../core/db/evals.ts';
import { getJobset, triggerEvaluation } from '../../core/db/jobsets.ts';
import { evaluatorFixture, gitJobset, ReleaseRepo } from '../helpers/evaluator-fixture.ts';
import { endlessSum } from '../helpers/slow-nix.ts';
import { waitFor } from '../helpers/wait.ts';

const succeeded = plainResult(BuildStatus.Success);

test('one-shot (enabled 2): evaluated once, then disabled, and a re-sync does not re-enable it', async () => {
  const f = evaluatorFixture();
  const repo = new ReleaseRepo(join(f.dir, 'repo'), 'a = job "a";');
  f.writeSpec('p', { jobsets: { once: gitJobset(repo.dir, { enabled: 2, checkinterval: 1 }) } });
  assert.equal((await f.evaluator.runOnce())[0]?.kind, 'evaluated');
  assert.equal(getJobset(f.db, 'p', 'once')!.enabled, 0);
  repo.commitJobs('a = job "a2";');
  f.sync();
  assert.equal(getJobset(f.db, 'p', 'once')!.enabled, 0);
  triggerEvaluation(f.db, getJobset(f.db, 'p', 'once')!.id);
  assert.deepEqual(await f.evaluator.runOnce(), []);
  assert.equal(listEvals(f.db, getJobset(f.db, 'p', 'once')!.id, 10).length, 1);
});

test('one-at-a-time (enabled 3): no new evaluation while the previous one has unfinished builds', async () => {
  const f = evaluatorFixture();
  const repo = new ReleaseRepo(join(f.dir, 'repo'), 'a = job "a"; b = job "b";');
  f.writeSpec('p', { jobsets: { serial: gitJobset(repo.dir, { enabled: 3 }) } });
  f.sync();
  const id = getJobset(f.db, 'p', 'serial')!.id;
  triggerEvaluation(f.db, id);
  assert.equal((await f.evaluator.runOnce())[0]?.kind, 'evaluated');
  const first = listEvals(f.db, id, 1)[0]!;

  repo.commitJobs('a = job "a2"; b = job "b2";');
  triggerEvaluation(f.db, id);
  assert.deepEqual(await f.evaluator.runOnce(), [], 'both builds of the first evaluation are still queued');
  const [a, b] = evalBuilds(f.db, first.id);
  finishStepAndBuild(f.db, a!.id, null, succeeded);
  assert.deepEqual(await f.evaluator.runOnce(), [], 'one build is still queued');
  finishStepAndBuild(f.db, b!.id, null, { ...succeeded, status: 1 });
  assert.equal(
    (await f.evaluator.runOnce())[0]?.kind,
    'evaluated',
    'the pending trigger runs once all builds finished',
  );
  assert.equal(listEvals(f.db, id, 10).length, 2);
});

test('a runaway evaluation is stopped at the memory limit with a clear error; the next one goes on', async () => {
  const f = evaluatorFixture(['--eval-max-memory', '300']);
  const repo = new ReleaseRepo(join(f.dir, 'repo'), 'a = job "a";');
  const hog = new ReleaseRepo(
    join(f.dir, 'hog'),
    'hog = job (toString (builtins.length (builtins.genList (x: toString x) 50000000)));',
  );
  f.writeSpec('p', { jobsets: { hog: gitJobset(hog.dir), fine: gitJobset(repo.dir) } });
  f.sync();
  triggerEvaluation(f.db, getJobset(f.db, 'p', 'hog')!.id);
  triggerEvaluation(f.db, getJobset(f.db, 'p', 'fine')!.id);
  const outcomes = await f.evaluator.runOnce();
  assert.deepEqual(outcomes.map((o) => o.kind).sort(), ['evaluated', 'failed']);
  assert.match(getJobset(f.db, 'p', 'hog')!.errormsg ?? '', /memory limit of 300 MiB/);
  assert.equal(getJobset(f.db, 'p', 'hog')!.starttime, null, 'the stopped evaluation does not block the jobset');
  assert.equal(listEvals(f.db, getJobset(f.db, 'p', 'fine')!.id, 10).length, 1);
});

test("a slow evaluation does not hold up another jobset's evaluation", async () => {
  const f = evaluatorFixture(['--eval-tick', '1', '--max-evals', '2']);
  const slow = new ReleaseRepo(join(f.dir, 'slow'), `slow = job (${endlessSum});`);
  const quick = new ReleaseRepo(join(f.dir, 'quick'), 'a = job "a";');
  f.writeSpec('p', { jobsets: { slow: gitJobset(slow.dir), quick: gitJobset(quick.dir) } });
  f.sync();
  triggerEvaluation(f.db, getJobset(f.db, 'p', 'slow')!.id);
  f.evaluator.start();
  try {
    await waitFor('the slow evaluation to start', () => getJobset(f.db, 'p', 'slow')!.starttime !== null, 30);
    triggerEvaluation(f.db, getJobset(f.db, 'p', 'quick')!.id);
    await waitFor('the quick evaluation', () => listEvals(f.db, getJobset(f.db, 'p', 'quick')!.id, 1).length === 1, 60);
    assert.notEqual(getJobset(f.db, 'p', 'slow')!.starttime, null, 'the slow evaluation is still running');
  } finally {
    await f.evaluator.stop();
  }
});

test('stopping the evaluator kills a running evaluation, which runs again at the next start', async () => {
  const f = evaluatorFixture(['--eval-tick', '1']);
  const slow = new ReleaseRepo(join(f.dir, 'slow'), `slow = job (${endlessSum});`);
  f.writeSpec('p', { jobsets: { slow: gitJobset(slow.dir) } });
  f.sync();
  const id = getJobset(f.db, 'p', 'slow')!.id;
  triggerEvaluation(f.db, id);
  f.evaluator.start();
  await waitFor('the evaluation to start', () => getJobset(f.db, 'p', 'slow')!.starttime !== null, 30);
  await f.evaluator.stop();
  const jobset = getJobset(f.db, 'p', 'slow')!;
  assert.equal(listEvals(f.db, id, 10).length, 0, 'the evaluation did not run to its end');
  assert.equal(jobset.starttime, null);
  assert.equal(jobset.errormsg, null, 'a shutdown is not an error of the jobset');
  assert.notEqual(jobset.triggertime, null, 'it is asked for again');
});

test('a disabled jobset (enabled 0) is not evaluated, even when triggered', async () => {
  const f = evaluatorFixture();
  const repo = new ReleaseRepo(join(f.dir, 'repo'), 'a = job "a";');
  f.writeSpec('p', { jobsets: { off: gitJobset(repo.dir, { enabled: 0, checkinterval: 1 }) } });
  f.sync();
  triggerEvaluation(f.db, getJobset(f.db, 'p', 'off')!.id);
  assert.deepEqual(await f.evaluator.runOnce(), []);
});
