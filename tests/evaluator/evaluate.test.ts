// The evaluator end to end on a real database, real git and real nix, driven by runOnce():
// what an evaluation records and when a jobset is (not) evaluated.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { constituentIds, evalErrors, listEvals } from '../../core/db/evals.ts';
import { evalBuilds, evalMembers } from '../helpers/db.ts';
import { getJobset, triggerEvaluation } from '../../core/db/jobsets.ts';
import { jobsetsWithRepo } from '../../core/db/push.ts';
import { CliNix } from '../../core/nix/cli-nix.ts';
import type { EvalRequest } from '../../core/nix/nix.ts';
import { evaluatorFixture, gitJobset, ReleaseRepo } from '../helpers/evaluator-fixture.ts';
import { slowSum } from '../helpers/slow-nix.ts';

function setup(jobs: string, spec: Record<string, unknown> = {}) {
  const f = evaluatorFixture();
  const repo = new ReleaseRepo(join(f.dir, 'repo'), jobs);
  f.writeSpec('p', { jobsets: { main: gitJobset(repo.dir, spec) } });
  f.sync();
  const jobsetId = () => getJobset(f.db, 'p', 'main')!.id;
  const latestEval = () => listEvals(f.db, jobsetId(), 1)[0];
  return { f, repo, jobsetId, latestEval };
}

test('a changed job gets a new build; an unchanged one reuses its build and is marked not new', async () => {
  const { f, repo, jobsetId, latestEval } = setup('a = job "a"; b = job "b";', { checkinterval: 1 });
  assert.equal((await f.evaluator.runOnce())[0]?.kind, 'evaluated');
  const first = latestEval()!;
  const before = evalMembers(f.db, first.id);
  assert.deepEqual(
    before.map((m) => [m.job, m.isnew]),
    [
      ['a', 1],
      ['b', 1],
    ],
  );

  repo.commitJobs('a = job "a"; b = job "b2";');
  triggerEvaluation(f.db, jobsetId());
  assert.equal((await f.evaluator.runOnce())[0]?.kind, 'evaluated');
  const second = latestEval()!;
  assert.notEqual(second.id, first.id);
  const after = evalMembers(f.db, second.id);
  assert.deepEqual(
    after.map((m) => [m.job, m.isnew]),
    [
      ['a', 0],
      ['b', 1],
    ],
  );
  assert.equal(after[0]!.build_id, before[0]!.build_id, 'a is the same build, not re-queued');
  assert.notEqual(after[1]!.build_id, before[1]!.build_id);
});

test('unchanged inputs give no new evaluation, only a recorded check', async () => {
  const { f, jobsetId } = setup('a = job "a";');
  triggerEvaluation(f.db, jobsetId());
  await f.evaluator.runOnce();
  const checked = getJobset(f.db, 'p', 'main')!;
  triggerEvaluation(f.db, jobsetId());
  assert.deepEqual(await f.evaluator.runOnce(), [{ kind: 'unchanged' }]);
  assert.equal(listEvals(f.db, jobsetId(), 10).length, 1);
  const again = getJobset(f.db, 'p', 'main')!;
  assert.ok(again.lastcheckedtime! >= checked.lastcheckedtime!);
  assert.equal(again.triggertime, null, 'the trigger is consumed');
});

test('checkinterval 0: evaluated only when triggered (as by POST /api/push)', async () => {
  const { f, repo } = setup('a = job "a";', { checkinterval: 0 });
  assert.deepEqual(await f.evaluator.runOnce(), [], 'never evaluated on its own');
  triggerEvaluation(f.db, getJobset(f.db, 'p', 'main')!.id);
  assert.equal((await f.evaluator.runOnce())[0]?.kind, 'evaluated');
  assert.deepEqual(await f.evaluator.runOnce(), []);
  repo.commitJobs('a = job "a2";');
  for (const j of jobsetsWithRepo(f.db, repo.dir)) triggerEvaluation(f.db, j.id);
  assert.equal((await f.evaluator.runOnce())[0]?.kind, 'evaluated');
});

test('per-job errors are recorded on the evaluation; the other jobs are built', async () => {
  const { f, jobsetId, latestEval } = setup(
    'good = job "good"; bad = abort "bad job"; nested.bad = throw "nested bad";',
  );
  triggerEvaluation(f.db, jobsetId());
  const [outcome] = await f.evaluator.runOnce();
  assert.deepEqual(outcome, { kind: 'evaluated', evalId: latestEval()!.id, newBuilds: 1, jobs: 1, errors: 2 });
  const errors = evalErrors(f.db, latestEval()!.id);
  assert.deepEqual(
    errors.map((e) => e.job),
    ['bad', 'nested.bad'],
  );
  assert.match(errors[0]!.message, /bad job/);
  assert.match(errors[1]!.message, /nested bad/);
});

test('an expression that fails as a whole records the error on the jobset; fixing it clears it', async () => {
  const { f, repo, jobsetId } = setup('a = job "a";');
  repo.write('release.nix', '{ ... }: throw "whole expression broken"').commit('break');
  triggerEvaluation(f.db, jobsetId());
  assert.equal((await f.evaluator.runOnce())[0]?.kind, 'failed');
  assert.match(getJobset(f.db, 'p', 'main')!.errormsg ?? '', /whole expression broken/);
  assert.equal(listEvals(f.db, jobsetId(), 1).length, 0);
  repo.commitJobs('a = job "a";');
  triggerEvaluation(f.db, jobsetId());
  assert.equal((await f.evaluator.runOnce())[0]?.kind, 'evaluated');
  assert.equal(getJobset(f.db, 'p', 'main')!.errormsg, null);
});

test('aggregate jobs are linked to their constituents', async () => {
  const { f, jobsetId, latestEval } = setup(
    'a = job "a"; b = job "b"; release = job "release" // { _hydraAggregate = true; constituents = [ "a" "b" ]; };',
  );
  triggerEvaluation(f.db, jobsetId());
  await f.evaluator.runOnce();
  const builds = Object.fromEntries(evalBuilds(f.db, latestEval()!.id).map((b) => [b.job, b]));
  assert.equal(builds['release']!.isaggregate, 1);
  assert.deepEqual(
    constituentIds(f.db, builds['release']!.id),
    [builds['a']!.id, builds['b']!.id].sort((x, y) => x - y),
  );
});

test('the evaluation time is recorded, in seconds', async () => {
  // A job whose evaluation alone takes a few seconds (20 million additions).
  const { f, jobsetId, latestEval } = setup(`slow = job (${slowSum(20_000)});`);
  triggerEvaluation(f.db, jobsetId());
  const started = Date.now();
  await f.evaluator.runOnce();
  const elapsed = (Date.now() - started) / 1000;
  const ev = latestEval()!;
  assert.ok(ev.evaltime >= 1, `evaltime ${ev.evaltime}`);
  assert.ok(ev.evaltime + ev.checkouttime <= Math.ceil(elapsed), 'within the time the check took');
});

test(`a jobset's first evaluation expects every .drv to be new and roots them before Nix is done; \
later ones expect few`, async () => {
  const cli = new CliNix();
  const seen: { expectNewDrvs: boolean; rootedWhenHeard: boolean[] }[] = [];
  let rootsDir = '';
  const nix = Object.assign(Object.create(cli) as CliNix, {
    evaluateJobs: (r: EvalRequest) => {
      const call = { expectNewDrvs: r.expectNewDrvs ?? false, rootedWhenHeard: [] as boolean[] };
      seen.push(call);
      return cli.evaluateJobs({
        ...r,
        onJobs: (jobs) => {
          r.onJobs?.(jobs);
          for (const j of jobs) call.rootedWhenHeard.push(existsSync(join(rootsDir, basename(j.drvPath))));
        },
      });
    },
  });
  const f = evaluatorFixture([], nix);
  rootsDir = join(f.dir, 'gcroots');
  const repo = new ReleaseRepo(join(f.dir, 'repo'), 'a = job "a"; b = job "b";');
  f.writeSpec('p', { jobsets: { main: gitJobset(repo.dir) } });
  f.sync();
  const jobsetId = getJobset(f.db, 'p', 'main')!.id;
  for (const jobs of [null, 'a = job "a"; b = job "b2";']) {
    if (jobs) repo.commitJobs(jobs);
    triggerEvaluation(f.db, jobsetId);
    assert.equal((await f.evaluator.runOnce())[0]?.kind, 'evaluated');
  }
  assert.deepEqual(seen, [
    { expectNewDrvs: true, rootedWhenHeard: [true, true] },
    // a is unchanged (named only, its root is the first evaluation's); b2's is made once its build is registered.
    { expectNewDrvs: false, rootedWhenHeard: [false] },
  ]);
  const second = listEvals(f.db, jobsetId, 1)[0]!;
  for (const b of evalBuilds(f.db, second.id)) assert.ok(existsSync(join(rootsDir, basename(b.drvpath))), b.job);
});
