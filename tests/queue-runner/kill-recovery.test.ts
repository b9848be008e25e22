// kill -9 of a real `hydrant queue-runner` process mid-build, then a new queue runner:
// no step stays busy, finished builds are not built again, interrupted ones are.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildSteps, getBuild } from '../../core/db/builds.ts';
import { PACKAGE_ROOT } from '../../core/paths.ts';
import { createQueueRunner } from '../../queue-runner/index.ts';
import { QueueFixture } from '../helpers/queue-fixture.ts';
import { waitFor } from '../helpers/wait.ts';
import { finishedNotices } from '../helpers/db.ts';

test('kill -9 mid-build loses nothing and builds nothing twice', async () => {
  const f = new QueueFixture();
  const ids = await f.queue(`{
    quick = job "quick" "echo quick > $out";
    slow = job "slow" "echo slow-start; sleep 4; echo slow > $out";
  }`);
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(PACKAGE_ROOT, 'cli', 'hydrant.ts'),
      'queue-runner',
      '--state-dir',
      f.stateDir,
      '--gc-roots-dir',
      f.gcRootsDir,
    ],
    {
      cwd: PACKAGE_ROOT,
      stdio: 'ignore',
      env: { ...process.env, HYDRANT_LOG_LEVEL: 'warn' },
    },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await waitFor(
    'the quick build to finish and the slow one to run',
    () => getBuild(f.db, ids['quick']!)!.finished === 1 && buildSteps(f.db, ids['slow']!).some((s) => s.busy !== 0),
    60,
  );
  child.kill('SIGKILL');
  await exited;
  assert.ok(
    buildSteps(f.db, ids['slow']!).some((s) => s.busy !== 0),
    'the killed runner left a busy step behind',
  );

  const runner = createQueueRunner(f.config(), { log: f.log, db: f.db });
  await runner.runOnce();
  await runner.stop();
  assert.equal(getBuild(f.db, ids['slow']!)!.buildstatus, 0);
  assert.equal(getBuild(f.db, ids['quick']!)!.buildstatus, 0);
  const slowSteps = buildSteps(f.db, ids['slow']!);
  assert.ok(slowSteps.every((s) => s.busy === 0));
  assert.deepEqual(
    slowSteps.map((s) => s.status),
    [3, 0],
    'the interrupted step is recorded as aborted, then retried',
  );
  assert.match(slowSteps[0]!.errormsg!, /interrupted/);
  assert.equal(buildSteps(f.db, ids['quick']!).length, 1, 'the finished build was not built again');
  const notices = finishedNotices(f.db);
  assert.deepEqual(
    notices.map((r) => r.n),
    [1, 1],
    'each build finished (and was announced) exactly once',
  );
});
