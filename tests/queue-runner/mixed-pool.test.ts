// A pool with a machine no queued step can use (another system): it stays idle, and while it
// does, a step's end must not walk the whole queue asking every machine about every step.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createQueueRunner } from '../../queue-runner/index.ts';
import { MachinePool } from '../../queue-runner/machine-pool.ts';
import { unfinishedAndFailedCounts } from '../helpers/db.ts';
import { QueueFixture } from '../helpers/queue-fixture.ts';

test('an idle machine of another system does not make each step end walk the whole queue', async (t) => {
  const f = new QueueFixture();
  const machines = join(f.dir, 'machines');
  // Never reached: no step is for aarch64-linux (192.0.2.1 is TEST-NET, nobody answers there).
  writeFileSync(machines, 'localhost x86_64-linux - 2\nssh://nobody@192.0.2.1 aarch64-linux - 4\n');
  const n = 300;
  await f.queue(
    `builtins.listToAttrs (builtins.genList (i: { name = "j\${toString i}"; ` +
      `value = job "mixed-\${toString i}" "echo \${toString i} > $out"; }) ${n})`,
  );
  // Each question "may this machine build this step?" is counted.
  const supports = MachinePool.supports;
  let asked = 0;
  MachinePool.supports = (m, step) => {
    asked++;
    return supports(m, step);
  };
  t.after(() => {
    MachinePool.supports = supports;
  });
  const runner = createQueueRunner(f.config(['--machines', machines]), { log: f.log, db: f.db });
  assert.equal(await runner.runOnce(), n);
  await runner.stop();
  assert.deepEqual(unfinishedAndFailedCounts(f.db), { unfinished: 0, failed: 0 });
  // Walking the waiting steps at each step's end asks about n²/2 × 2 machines (90,000 here).
  assert.ok(asked < 20 * n, `${asked} questions to the pool for ${n} steps (at most ${20 * n})`);
});
