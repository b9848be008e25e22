// Real remote build machines: sshd instances on 127.0.0.1, each with its own empty /nix
// store in its own mount namespace, declared with different systems and features.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildOutputs, buildSteps, getBuild } from '../../core/db/builds.ts';
import { listMachines } from '../../core/db/machines.ts';
import { runningSteps } from '../../core/db/queue-status.ts';
import { readStepLog } from '../helpers/step-log.ts';
import { NOTHING_HIDDEN } from '../helpers/db.ts';
import { BuildStatus } from '../../core/model/status.ts';
import { createQueueRunner } from '../../queue-runner/index.ts';
import { QueueFixture } from '../helpers/queue-fixture.ts';
import { SshMachine } from '../helpers/ssh-machine.ts';
import { waitFor } from '../helpers/wait.ts';
import { requestBuildCommand } from '../../core/db/commands-requests.ts';

const outPath = (f: QueueFixture, id: number) => buildOutputs(f.db, id)[0]!.path;
const machineOf = (f: QueueFixture, id: number) =>
  buildSteps(f.db, id)
    .filter((s) => s.status === 0 && s.propagatedfrom === null)
    .map((s) => s.machine);

test('steps go to the machine whose systems and features fit, and outputs come back', async () => {
  const f = new QueueFixture();
  const plain = await new SshMachine(join(f.dir, 'plain')).start();
  const kvm = await new SshMachine(join(f.dir, 'kvm')).start();
  const machines = join(f.dir, 'machines');
  writeFileSync(
    machines,
    `# two remote machines, no local one\n${plain.line('x86_64-linux', 'benchmark')}\n` +
      `${kvm.line('i686-linux,x86_64-linux', 'kvm', 'kvm')}\n`,
  );
  const ids = await f.queue(`let dep = job "dep" "echo dep > $out"; in {
    inherit dep;
    x86 = job "x86" "cat \${dep} > $out; echo x86 >> $out";
    i686kvm = jobWith "i686-kvm" { system = "i686-linux"; requiredSystemFeatures = [ "kvm" ]; }
      "cat \${dep} > $out; echo i686 >> $out";
    i686plain = jobWith "i686-plain" { system = "i686-linux"; } "echo never > $out";
  }`);
  const runner = createQueueRunner(f.config(['--machines', machines]), { log: f.log, db: f.db });
  await runner.runOnce();
  await runner.stop();

  for (const job of ['dep', 'x86', 'i686kvm']) assert.equal(getBuild(f.db, ids[job]!)!.buildstatus, 0, job);
  assert.equal(
    getBuild(f.db, ids['i686plain']!)!.buildstatus,
    9,
    "the kvm machine's mandatory feature keeps plain steps off it",
  );
  assert.deepEqual(machineOf(f, ids['dep']!), [plain.name]);
  assert.deepEqual(machineOf(f, ids['x86']!), [plain.name]);
  assert.deepEqual(machineOf(f, ids['i686kvm']!), [kvm.name]);
  // The remote stores hold what was built there (and the inputs sent), nothing else.
  assert.ok(plain.has(outPath(f, ids['x86']!)) && !kvm.has(outPath(f, ids['x86']!)));
  assert.ok(kvm.has(outPath(f, ids['i686kvm']!)) && !plain.has(outPath(f, ids['i686kvm']!)));
  assert.ok(kvm.has(outPath(f, ids['dep']!)), 'the input built elsewhere was copied to the kvm machine');
  const valid = await f.nix.validPaths(['dep', 'x86', 'i686kvm'].map((j) => outPath(f, ids[j]!)));
  assert.equal(valid.size, 3, 'every output was copied back to the local store');
  assert.ok(
    readdirSync(join(f.stateDir, 'ssh')).length >= 2,
    'the pinned host keys are kept under the state directory',
  );
  const log = readStepLog(f.stateDir, buildSteps(f.db, ids['i686kvm']!).find((s) => s.status === 0)!.logfile)!;
  assert.match(log, /copied \d+ store paths to ssh:\/\/root@127\.0\.0\.1/);
  // x86 was built where its input was built: of its closure only its own .drv was missing.
  const x86Log = readStepLog(f.stateDir, buildSteps(f.db, ids['x86']!).find((s) => s.status === 0)!.logfile)!;
  assert.match(x86Log, /copied 1 store paths to /, 'only missing paths travel');
  const rows = listMachines(f.db);
  assert.deepEqual(rows.map((r) => r.name).sort(), [plain.name, kvm.name].sort());
  assert.equal(rows.find((r) => r.name === plain.name)!.nr_steps_done, 2);
});

test(`a machine that dies mid-build: the step is retried on another, the machine backs off, \
then gets work again`, async () => {
  const f = new QueueFixture();
  const first = await new SshMachine(join(f.dir, 'first')).start();
  const second = await new SshMachine(join(f.dir, 'second')).start();
  const machines = join(f.dir, 'machines');
  writeFileSync(machines, `${first.line('x86_64-linux')}\n${second.line('x86_64-linux')}\n`);
  const ids = await f.queue(`{ slow = job "slow" "echo started; sleep 3; echo done > $out"; }`);
  const runner = createQueueRunner(f.config(['--machines', machines, '--retry-interval', '2']), {
    log: f.log,
    db: f.db,
  });
  runner.start();
  await waitFor(
    'the step to build on the first machine',
    () => buildSteps(f.db, ids['slow']!).some((s) => s.busy === 30 && s.machine === first.name),
    60,
  );
  const current = runningSteps(f.db, NOTHING_HIDDEN).filter((s) => s.machine === first.name);
  assert.deepEqual(
    current.map((s) => s.build_id),
    [ids['slow']],
    'the machines page sees the running step',
  );
  first.kill();
  await waitFor('the build to finish', () => getBuild(f.db, ids['slow']!)!.finished === 1, 90);
  assert.equal(getBuild(f.db, ids['slow']!)!.buildstatus, 0);
  const steps = buildSteps(f.db, ids['slow']!);
  assert.deepEqual(
    steps.map((s) => [s.machine, s.status]),
    [
      [first.name, 3],
      [second.name, 0],
    ],
  );
  assert.match(steps[0]!.errormsg!, /lost the connection/);
  const dead = listMachines(f.db).find((m) => m.name === first.name)!;
  assert.equal(dead.consecutive_failures, 1);
  assert.ok(dead.disabled_until && dead.last_failure_msg);

  // Back up after its back-off: it gets work again and is marked healthy.
  await first.start();
  const later = await f.queue(`{ later = job "later" "echo later > $out"; }`, 'later');
  await waitFor('the next build', () => getBuild(f.db, later['later']!)!.finished === 1, 90);
  await runner.stop();
  assert.deepEqual(machineOf(f, later['later']!), [first.name]);
  const healed = listMachines(f.db).find((m) => m.name === first.name)!;
  assert.equal(healed.consecutive_failures, 0);
  assert.equal(healed.disabled_until, null);
});

test('a step whose only machine stays unreachable is given up after --max-tries with status 3', async () => {
  const f = new QueueFixture();
  const down = new SshMachine(join(f.dir, 'down'));
  down.port = 1; // nothing listens there: connection refused
  const machines = join(f.dir, 'machines');
  writeFileSync(machines, `${down.line('x86_64-linux')}\n`);
  const ids = await f.queue(`{ x = job "x" "echo > $out"; }`);
  const runner = createQueueRunner(f.config(['--machines', machines, '--max-tries', '2', '--retry-interval', '0']), {
    log: f.log,
    db: f.db,
  });
  await runner.runOnce();
  await runner.stop();
  assert.equal(getBuild(f.db, ids['x']!)!.buildstatus, 3);
  const steps = buildSteps(f.db, ids['x']!);
  assert.equal(steps.length, 2, 'tried twice');
  assert.match(steps[1]!.errormsg!, /cannot use ssh:\/\/root@127\.0\.0\.1:1/);
  assert.equal(listMachines(f.db)[0]!.consecutive_failures, 2);
});

test('cancelling a build on a remote machine stops the build there too, not only the local ssh', async () => {
  const f = new QueueFixture();
  const remote = await new SshMachine(join(f.dir, 'remote')).start();
  const machines = join(f.dir, 'machines');
  writeFileSync(machines, `${remote.line('x86_64-linux')}\n`);
  // The builder runs on the remote machine; /tmp is shared with it, so it can say its pid.
  const pidFile = join(f.dir, 'remote-builder-pid');
  const ids = await f.queue(`{ long = job "long" "echo $$ > ${pidFile}; echo long-started; sleep 120; echo > $out"; }`);
  const runner = createQueueRunner(f.config(['--machines', machines]), { log: f.log, db: f.db });
  runner.start();
  await waitFor(
    'the builder to start on the remote machine',
    () => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '',
    60,
  );
  const pid = Number(readFileSync(pidFile, 'utf8'));
  assert.ok(existsSync(`/proc/${pid}`));
  requestBuildCommand(f.db, 'cancel', ids['long']!, 'alice');
  await waitFor('the build to be cancelled', () => getBuild(f.db, ids['long']!)!.finished === 1, 30);
  assert.equal(getBuild(f.db, ids['long']!)!.buildstatus, BuildStatus.Cancelled);
  await waitFor('the remote builder to be gone', () => !existsSync(`/proc/${pid}`), 15);
  await runner.stop();
});

test('outputs over --max-output-size on a remote machine end with status 11 and are not copied back', async () => {
  const f = new QueueFixture();
  const remote = await new SshMachine(join(f.dir, 'remote')).start();
  const machines = join(f.dir, 'machines');
  writeFileSync(machines, `${remote.line('x86_64-linux')}\n`);
  const ids = await f.queue(`{ big = job "big" "head -c 20000 /dev/zero > $out"; }`);
  const runner = createQueueRunner(f.config(['--machines', machines, '--max-output-size', '10000']), {
    log: f.log,
    db: f.db,
  });
  await runner.runOnce();
  await runner.stop();
  assert.equal(getBuild(f.db, ids['big']!)!.buildstatus, BuildStatus.OutputLimitExceeded);
  assert.ok(remote.has(outPath(f, ids['big']!)), 'it was built there');
  assert.equal((await f.nix.validPaths([outPath(f, ids['big']!)])).size, 0, 'and never copied here');
});
