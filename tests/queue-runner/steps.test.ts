// The step model with real nix: a build becomes steps, shared steps are built once, and a
// failing dependency ends every dependent build, once and for all until restarted.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildSteps, getBuild } from '../../core/db/builds.ts';
import { createQueueRunner } from '../../queue-runner/index.ts';
import { QueueFixture } from '../helpers/queue-fixture.ts';
import { readStepLog } from '../helpers/step-log.ts';
import { setBuildDrv } from '../helpers/db.ts';

test('a build becomes one step per missing derivation; a step two builds share is built once', async () => {
  const f = new QueueFixture();
  const ids = await f.queue(`let dep = job "dep" "echo dep-built; echo dep > $out"; in {
    a = job "a" "cat \${dep} > $out; echo a >> $out";
    b = job "b" "cat \${dep} > $out; echo b >> $out";
  }`);
  const runner = createQueueRunner(f.config(), { log: f.log, db: f.db });
  await runner.runOnce();
  const a = getBuild(f.db, ids['a']!)!;
  const b = getBuild(f.db, ids['b']!)!;
  assert.equal(a.buildstatus, 0);
  assert.equal(b.buildstatus, 0);
  const steps = [...buildSteps(f.db, a.id), ...buildSteps(f.db, b.id)];
  const depSteps = steps.filter((s) => s.drvpath!.endsWith('-dep.drv') && s.propagatedfrom === null);
  assert.equal(depSteps.length, 1, 'the shared dependency ran as exactly one step');
  assert.ok(steps.every((s) => s.busy === 0 && s.machine === 'localhost'));
  assert.match(readStepLog(f.stateDir, depSteps[0]!.logfile)!, /dep-built/);
  assert.match(depSteps[0]!.logfile!, /\.log$/, 'a log of one block stays as it is');
  assert.ok(existsSync(join(f.stateDir, depSteps[0]!.logfile!)));
  await runner.stop();
});

test('a finished log bigger than one block is compressed; the plain file goes', async () => {
  const f = new QueueFixture();
  const ids = await f.queue(`{ chatty = job "chatty" "i=0; while [ $i -lt 200 ]; do echo line $i of a long log; \
    i=$((i+1)); done; echo > $out"; }`);
  const runner = createQueueRunner(f.config(), { log: f.log, db: f.db });
  await runner.runOnce();
  await runner.stop();
  const [step] = buildSteps(f.db, ids['chatty']!);
  assert.match(step!.logfile!, /\.log\.gz$/);
  assert.equal(existsSync(join(f.stateDir, step!.logfile!.replace(/\.gz$/, ''))), false);
  assert.match(readStepLog(f.stateDir, step!.logfile)!, /^line 199 of a long log$/m);
});

test(`a build whose derivation is gone ends as aborted with the reason, \
and the rest of the queue goes on`, async () => {
  const f = new QueueFixture();
  const ids = await f.queue(`{ fine = job "fine" "echo > $out"; gone = job "gone" "echo > $out"; }`);
  setBuildDrv(f.db, ids['gone']!, '/nix/store/00000000000000000000000000000000-gone.drv');
  const runner = createQueueRunner(f.config(), { log: f.log, db: f.db });
  await runner.runOnce();
  assert.equal(getBuild(f.db, ids['fine']!)!.buildstatus, 0);
  assert.equal(getBuild(f.db, ids['gone']!)!.buildstatus, 3);
  assert.match(buildSteps(f.db, ids['gone']!)[0]!.errormsg!, /cannot read the build's derivation/);
  await runner.stop();
});
