// Where step logs go under the state dir: a directory per thousand builds, not one per build
// (a mkdir on the runner's thread for every build, and a 4 KiB block each).
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildSteps } from '../../core/db/builds.ts';
import { createQueueRunner } from '../../queue-runner/index.ts';
import { stepLogPath } from '../../queue-runner/run-step.ts';
import { QueueFixture } from '../helpers/queue-fixture.ts';
import { readStepLog } from '../helpers/step-log.ts';

test('step logs are logs/SHARD/BUILD-STEP.log, SHARD the build id divided by 1,000', async () => {
  assert.equal(stepLogPath(123_456, 2), join('logs', '123', '123456-2.log'));
  assert.equal(stepLogPath(999, 1), join('logs', '0', '999-1.log'));
  const f = new QueueFixture();
  const ids = await f.queue(`{
    a = job "layout-a" "echo built-a; echo a > $out";
    b = job "layout-b" "echo built-b; echo b > $out";
  }`);
  const runner = createQueueRunner(f.config(), { log: f.log, db: f.db });
  await runner.runOnce();
  await runner.stop();
  for (const name of ['a', 'b']) {
    const id = ids[name]!;
    const [step] = buildSteps(f.db, id);
    assert.equal(step!.logfile, stepLogPath(id, step!.stepnr));
    assert.match(readStepLog(f.stateDir, step!.logfile)!, new RegExp(`built-${name}`));
  }
  assert.deepEqual(
    readdirSync(join(f.stateDir, 'logs')),
    [String(Math.floor(ids['a']! / 1000))],
    'both builds share one directory',
  );
});
