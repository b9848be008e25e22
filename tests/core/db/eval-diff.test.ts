// The comparison of two evaluations the server shows: new, removed, changed, newly failing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase } from '../../../core/db/database.ts';
import { compareEvals } from '../../../core/db/eval-diff.ts';
import { evalMembers, registerEvaluation } from '../../../core/db/evals.ts';
import { upsertJobsetFromSpec } from '../../../core/db/jobsets.ts';
import { migrate } from '../../../core/db/migrate.ts';
import { upsertProject } from '../../../core/db/projects.ts';
import { parseJobsetSpec } from '../../../core/spec/validate.ts';
import { finishStepAndBuild } from '../../helpers/record-results.ts';
import type { EvaluatedJob } from '../../../core/nix/nix.ts';

const job = (name: string, drv: string): EvaluatedJob => ({
  name, nixName: name, system: 'x86_64-linux', drvPath: `/nix/store/${drv.padEnd(32, '0')}-${name}.drv`, outputs: { out: `/nix/store/${drv.padEnd(32, '1')}-${name}` },
  description: null, license: null, homepage: null, maintainers: null, schedulingPriority: null, timeout: null, maxSilent: null,
  isChannel: false, isAggregate: false, constituents: [],
});
const finished = (status: number) => ({ status, isCachedBuild: false, startTime: 1, stopTime: 2, size: null, closureSize: null, releaseName: null, products: [], metrics: [] });

test('two evaluations compare by job: added, removed, changed, unchanged, newly failing and succeeding', () => {
  const db = openDatabase(':memory:');
  migrate(db);
  upsertProject(db, { name: 'p', displayname: 'p', description: '', homepage: '', enabled: true, hidden: false, owner: '', spec_source: '', declarative: null });
  const jobsetId = upsertJobsetFromSpec(db, 'p', parseJobsetSpec('j', { nixexprinput: 'src', inputs: { src: { type: 'path', value: '/src' } } }, 'test'), '');
  const register = (jobs: EvaluatedJob[]) => registerEvaluation(db, { jobsetId, inputsHash: String(Math.random()), checkoutSeconds: 0, evalSeconds: 0, nixexprinput: 'src', nixexprpath: 'release.nix', inputs: [], jobs, errors: [] }).evalId;
  const first = register([job('same', 'a'), job('breaks', 'b'), job('heals', 'c'), job('gone', 'd')]);
  const ids = Object.fromEntries(evalMembers(db, first).map((m) => [m.job, m.build_id]));
  finishStepAndBuild(db, ids['breaks']!, null, finished(0));
  finishStepAndBuild(db, ids['heals']!, null, finished(1));
  const second = register([job('same', 'a'), job('breaks', 'b2'), job('heals', 'c2'), job('fresh', 'e')]);
  const now = Object.fromEntries(evalMembers(db, second).map((m) => [m.job, m.build_id]));
  finishStepAndBuild(db, now['breaks']!, null, finished(1));
  finishStepAndBuild(db, now['heals']!, null, finished(0));

  const diff = compareEvals(db, second, first);
  const jobs = (xs: { job: string }[]) => xs.map((x) => x.job);
  assert.deepEqual(jobs(diff.added), ['fresh']);
  assert.deepEqual(jobs(diff.removed), ['gone']);
  assert.deepEqual(jobs(diff.changed), ['breaks', 'heals']);
  assert.deepEqual(jobs(diff.unchanged), ['same']);
  assert.deepEqual(jobs(diff.newlyFailing), ['breaks']);
  assert.deepEqual(jobs(diff.newlySucceeding), ['heals']);
  assert.deepEqual(diff.newlyFailing[0], { job: 'breaks', buildId: now['breaks'], previousBuildId: ids['breaks'], status: 1, previousStatus: 0 });
});
