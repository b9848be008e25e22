// The server's requests (rows in queue_commands) carried out by the queue runner, and the
// order the queue is served in: bump, meta.schedulingPriority (Hydra's default 100; higher first), scheduling shares.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildEvalIds, buildSteps, getBuild } from '../../core/db/builds.ts';
import { readStepLog } from '../helpers/step-log.ts';
import { BuildStatus } from '../../core/model/status.ts';
import { createQueueRunner } from '../../queue-runner/index.ts';
import { QueueFixture } from '../helpers/queue-fixture.ts';
import { waitFor } from '../helpers/wait.ts';
import { addQueueCommand, pastBuild, queueCommands, setSchedulingShares } from '../helpers/db.ts';

const request = (f: QueueFixture, kind: string, target: { build?: number; eval?: number }) =>
  addQueueCommand(f.db, kind, target);
const results = (f: QueueFixture) => queueCommands(f.db).map((c) => c.result ?? '');

/** One job at a time on this machine, so the order of the queue is the order of the builds. */
function oneAtATime(f: QueueFixture): string[] {
  const file = join(f.dir, 'machines');
  writeFileSync(file, 'localhost x86_64-linux,i686-linux - 1 1 nixos-test,benchmark,big-parallel\n');
  return ['--machines', file];
}

test('cancel kills the running step and ends the build with status 4', async () => {
  const f = new QueueFixture();
  const pidFile = join(f.dir, 'pid');
  const ids = await f.queue(`{ long = job "long" "echo $$ > ${pidFile}; echo long-started; sleep 60; echo > $out"; }`);
  const runner = createQueueRunner(f.config(), { log: f.log, db: f.db });
  runner.start();
  await waitFor(
    'the step to run',
    () => existsSync(pidFile) && buildSteps(f.db, ids['long']!).some((s) => s.busy !== 0),
    30,
  );
  // While the step runs, its log is plain text that grows: what the server tails.
  const running = buildSteps(f.db, ids['long']!)[0]!;
  assert.match(running.logfile!, /\.log$/);
  await waitFor('the live log', () => /long-started/.test(readStepLog(f.stateDir, running.logfile) ?? ''), 10);
  request(f, 'cancel', { build: ids['long'] });
  await waitFor('the build to be cancelled', () => getBuild(f.db, ids['long']!)!.finished === 1, 30);
  assert.equal(getBuild(f.db, ids['long']!)!.buildstatus, BuildStatus.Cancelled);
  await waitFor('the step to end', () => buildSteps(f.db, ids['long']!).every((s) => s.busy === 0), 30);
  assert.equal(buildSteps(f.db, ids['long']!)[0]!.status, BuildStatus.Cancelled);
  const pid = Number(readFileSync(pidFile, 'utf8'));
  await waitFor('the builder to be killed', () => !existsSync(`/proc/${pid}`), 10);
  await runner.stop();
  assert.match(results(f)[0]!, /cancelled; killed 1 running step/);
});

test(`bump runs a build first; meta.schedulingPriority orders the rest; \
bad requests are refused with a reason`, async () => {
  const f = new QueueFixture();
  const order = join(f.dir, 'order');
  const ids = await f.queue(`{
    a = job "a" "echo a >> ${order}; echo > $out";
    b = job "b" "echo b >> ${order}; echo > $out";
    c = withMeta { schedulingPriority = 200; } (job "c" "echo c >> ${order}; echo > $out");
    d = job "d" "echo d >> ${order}; echo > $out";
  }`);
  request(f, 'bump', { build: ids['d'] });
  request(f, 'frobnicate', { build: ids['a'] });
  request(f, 'cancel', {});
  const runner = createQueueRunner(f.config(oneAtATime(f)), { log: f.log, db: f.db });
  await runner.runOnce();
  assert.deepEqual(readFileSync(order, 'utf8').trim().split('\n'), ['d', 'c', 'a', 'b']);
  const [bumped, unknown, noTarget] = results(f);
  assert.match(bumped!, /bumped/);
  assert.match(unknown!, /refused: unknown request kind "frobnicate"/);
  assert.match(noTarget!, /failed: a cancel request needs a build_id/);
  await runner.stop();
});

test('scheduling shares: the jobset that used the least build time per share goes first', async () => {
  const f = new QueueFixture();
  const order = join(f.dir, 'order');
  // History: "heavy" used 1000 s of build time in the last day, "light" 100 s.
  const history = async (jobset: string, seconds: number) => {
    const ids = await f.queue(`{ old = job "old-${jobset}" "echo > $out"; }`, jobset);
    pastBuild(f.db, ids['old']!, seconds, 'localhost');
  };
  await history('heavy', 1000);
  await history('light', 100);
  const job = (name: string) => `{ ${name} = job "${name}" "echo ${name} >> ${order}; echo > $out"; }`;
  await f.queue(job('h1'), 'heavy');
  await f.queue(job('l1'), 'light');
  const runner = createQueueRunner(f.config(oneAtATime(f)), { log: f.log, db: f.db });
  await runner.runOnce();
  assert.deepEqual(
    readFileSync(order, 'utf8').trim().split('\n'),
    ['l1', 'h1'],
    'equal shares: less time used goes first',
  );

  // With 100 times the shares, the heavy jobset's 1000 s weigh less than light's 100 s.
  writeFileSync(order, '');
  await f.queue(job('h2'), 'heavy');
  await f.queue(job('l2'), 'light');
  setSchedulingShares(f.db, 'heavy', 10000);
  await runner.runOnce();
  assert.deepEqual(readFileSync(order, 'utf8').trim().split('\n'), ['h2', 'l2']);
  await runner.stop();
});

test('restart all failed builds of an evaluation re-queues exactly those', async () => {
  const f = new QueueFixture();
  const flag = join(f.dir, 'fixed');
  const ids = await f.queue(`{
    good = job "good" "echo > $out";
    bad1 = job "bad1" "[ -e ${flag} ] && echo > $out";
    bad2 = job "bad2" "[ -e ${flag} ] && echo > $out";
  }`);
  const runner = createQueueRunner(f.config(), { log: f.log, db: f.db });
  await runner.runOnce();
  assert.deepEqual(
    ['good', 'bad1', 'bad2'].map((j) => getBuild(f.db, ids[j]!)!.buildstatus),
    [0, 1, 1],
  );
  writeFileSync(flag, '');
  const [evalId] = buildEvalIds(f.db, ids['good']!);
  request(f, 'restart-failed-of-eval', { eval: evalId! });
  await runner.runOnce();
  assert.deepEqual(
    ['good', 'bad1', 'bad2'].map((j) => getBuild(f.db, ids[j]!)!.buildstatus),
    [0, 0, 0],
  );
  assert.equal(buildSteps(f.db, ids['good']!).length, 1, 'the successful build was left alone');
  assert.match(results(f)[0]!, /restarted 2 failed build\(s\) of evaluation/);
  await runner.stop();
});

test("cancel, bump and restart-aborted of a whole evaluation, as on Hydra's evaluation page", async () => {
  const f = new QueueFixture();
  const order = join(f.dir, 'order');
  const first = await f.queue(
    `{ x = job "x" "echo x >> ${order}; echo > $out"; y = job "y" "echo y >> ${order}; echo > $out"; }`,
    'first',
  );
  const second = await f.queue(`{ z = job "z" "echo z >> ${order}; echo > $out"; }`, 'second');
  const evalOf = (id: number) => buildEvalIds(f.db, id)[0]!;
  const runner = createQueueRunner(f.config(oneAtATime(f)), { log: f.log, db: f.db });
  // Cancel every queued build of the first evaluation, before anything runs.
  request(f, 'cancel-eval', { eval: evalOf(first['x']!) });
  await runner.runOnce();
  assert.deepEqual(
    ['x', 'y'].map((j) => getBuild(f.db, first[j]!)!.buildstatus),
    [BuildStatus.Cancelled, BuildStatus.Cancelled],
  );
  assert.equal(getBuild(f.db, second['z']!)!.buildstatus, BuildStatus.Success, 'the other evaluation was left alone');
  // Restart its aborted builds (cancelled ones are among them); a later evaluation is bumped
  // ahead of them, though its build is newer (without the bump, the oldest goes first).
  const later = await f.queue(`{ w = job "w" "echo w >> ${order}; echo > $out"; }`, 'later');
  request(f, 'restart-aborted-of-eval', { eval: evalOf(first['x']!) });
  request(f, 'bump-eval', { eval: evalOf(later['w']!) });
  await runner.runOnce();
  await runner.stop();
  assert.deepEqual(
    ['x', 'y'].map((j) => getBuild(f.db, first[j]!)!.buildstatus),
    [0, 0],
  );
  assert.equal(getBuild(f.db, later['w']!)!.buildstatus, 0);
  assert.deepEqual(
    readFileSync(order, 'utf8').trim().split('\n'),
    ['z', 'w', 'x', 'y'],
    'the bumped evaluation went before the older builds',
  );
  const [cancelled, restarted, bumped] = results(f);
  assert.match(cancelled!, /cancelled 2 build\(s\) of evaluation/);
  assert.match(restarted!, /restarted 2 aborted build\(s\)/);
  assert.match(bumped!, /bumped 1 build\(s\) of evaluation \d+ to global priority/);
});
