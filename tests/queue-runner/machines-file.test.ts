// The machines file is re-read when it changes, without a restart; a broken edit keeps
// the machines known so far, and the machines table follows the file.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildSteps, getBuild } from '../../core/db/builds.ts';
import { listMachines } from '../../core/db/machines.ts';
import { createQueueRunner } from '../../queue-runner/index.ts';
import { QueueFixture } from '../helpers/queue-fixture.ts';
import { waitFor } from '../helpers/wait.ts';

test('an edited machines file takes effect without a restart; a broken one is refused', async () => {
  const f = new QueueFixture();
  const machines = join(f.dir, 'machines');
  writeFileSync(machines, 'localhost i686-linux - 1\n');
  const ids = await f.queue(`{ x = job "x" "echo > $out"; }`);
  const runner = createQueueRunner(f.config(['--machines', machines, '--unsupported-wait', '600']), {
    log: f.log,
    db: f.db,
  });
  runner.start();
  await waitFor('the machines table', () => listMachines(f.db).length === 1, 20);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(getBuild(f.db, ids['x']!)!.finished, 0, 'no machine builds x86_64-linux yet: the build waits');

  writeFileSync(machines, 'localhost x86_64-linux,i686-linux - 2 1 big-parallel\n');
  await waitFor('the build on the newly declared system', () => getBuild(f.db, ids['x']!)!.finished === 1, 30);
  assert.equal(getBuild(f.db, ids['x']!)!.buildstatus, 0);
  assert.equal(buildSteps(f.db, ids['x']!)[0]!.machine, 'localhost');
  assert.deepEqual(
    listMachines(f.db).map((m) => [m.systems, m.maxjobs, m.supportedfeatures]),
    [['x86_64-linux i686-linux', 2, 'big-parallel']],
  );

  writeFileSync(machines, 'localhost x86_64-linux - lots\n');
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(listMachines(f.db)[0]!.maxjobs, 2, 'the broken file changed nothing');
  await runner.stop();
});
