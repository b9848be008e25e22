// Registering an evaluation: jobs Nix only named as unchanged keep their builds, as jobs
// whose derivation is found again do; aggregates link them by name or by derivation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase } from '../../../core/db/database.ts';
import { constituentIds, evalJobsJson, registerEvaluation, type NewEvaluation } from '../../../core/db/evals.ts';
import { migrate } from '../../../core/db/migrate.ts';
import type { EvaluatedJob } from '../../../core/nix/nix.ts';
import { evalBuilds, evaluatedJob } from '../../helpers/db.ts';
import { addJobset, addProject } from '../../helpers/web-fixture.ts';

function job(name: string, version = '1', extra: Partial<EvaluatedJob> = {}): EvaluatedJob {
  const hash = `${name}${version}`.padEnd(32, 'x').slice(0, 32);
  return evaluatedJob(name, `/nix/store/${hash}-${name}.drv`, extra);
}

function setup() {
  const db = openDatabase(':memory:');
  migrate(db);
  addProject(db, 'p');
  const jobsetId = addJobset(db, 'p', 'main');
  const register = (e: Partial<NewEvaluation>) =>
    registerEvaluation(db, {
      jobsetId,
      inputsHash: String(Math.random()),
      checkoutSeconds: 0,
      evalSeconds: 0,
      nixexprinput: 'src',
      nixexprpath: 'release.nix',
      inputs: [],
      jobs: [],
      errors: [],
      ...e,
    });
  return { db, jobsetId, register };
}

const buildsByJob = (db: ReturnType<typeof setup>['db'], evalId: number) =>
  Object.fromEntries(evalBuilds(db, evalId).map((b) => [b.job, b.id]));

test('unchanged jobs keep their builds, not new; changed ones get new builds; all are members and counted', () => {
  const { db, register } = setup();
  const first = register({ jobs: [job('a'), job('b'), job('c')] });
  assert.deepEqual(JSON.parse(evalJobsJson(db, first.evalId)), {
    a: job('a').drvPath,
    b: job('b').drvPath,
    c: job('c').drvPath,
  });
  const before = buildsByJob(db, first.evalId);
  const second = register({ jobs: [job('c', '2')], unchanged: ['a', 'b'], previousEvalId: first.evalId });
  assert.equal(second.newBuildIds.length, 1);
  const after = buildsByJob(db, second.evalId);
  assert.deepEqual(Object.keys(after).sort(), ['a', 'b', 'c']);
  assert.equal(after['a'], before['a']);
  assert.notEqual(after['c'], before['c']);
  assert.equal(db.prepare('SELECT nrbuilds FROM jobset_evals WHERE id = ?').pluck().get(second.evalId), 3);
  const isNew = db
    .prepare('SELECT b.job, m.isnew FROM jobset_eval_members m JOIN builds b ON b.id = m.build_id WHERE eval_id = ?')
    .all(second.evalId) as { job: string; isnew: number }[];
  assert.deepEqual(Object.fromEntries(isNew.map((r) => [r.job, r.isnew])), { a: 0, b: 0, c: 1 });
  assert.equal(first.newBuildIds.length, 3);
});

test('a job that goes back to an earlier derivation gets that build again', () => {
  const { db, register } = setup();
  const first = register({ jobs: [job('a')] });
  const second = register({ jobs: [job('a', '2')], previousEvalId: first.evalId });
  const back = register({ jobs: [job('a')], previousEvalId: second.evalId });
  assert.deepEqual(back.newBuildIds, []);
  assert.equal(buildsByJob(db, back.evalId)['a'], buildsByJob(db, first.evalId)['a']);
});

test("an aggregate's constituents may be unchanged jobs, by name or by derivation", () => {
  const { db, register } = setup();
  const first = register({ jobs: [job('a'), job('b')] });
  const { evalId } = register({
    jobs: [job('all', '1', { isAggregate: true, constituents: ['a', { drvPath: job('b').drvPath }] })],
    unchanged: ['a', 'b'],
    previousEvalId: first.evalId,
  });
  const before = buildsByJob(db, first.evalId);
  assert.deepEqual(constituentIds(db, buildsByJob(db, evalId)['all']!), [before['a'], before['b']]);
});

test('a job said to be unchanged that the previous evaluation does not have is refused; nothing is recorded', () => {
  const { db, register } = setup();
  const first = register({ jobs: [job('a')] });
  assert.throws(
    () => register({ unchanged: ['a', 'ghost'], previousEvalId: first.evalId }),
    /1 of the jobs said to be unchanged have no build in evaluation/,
  );
  assert.equal(db.prepare('SELECT count(*) FROM jobset_evals').pluck().get(), 1);
});
