// Failures with real nix: dependency failed, the failed-paths cache and how a restart
// clears it, and the limits (timeout, silence, log size) that end a step.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildMetrics, buildProducts, buildSteps, getBuild } from '../../core/db/builds.ts';
import { isFailedPath } from '../../core/db/failed-paths.ts';
import { readStepLog } from '../helpers/step-log.ts';
import { BuildStatus } from '../../core/model/status.ts';
import { createQueueRunner } from '../../queue-runner/index.ts';
import { QueueFixture } from '../helpers/queue-fixture.ts';
import { queueCommands } from '../helpers/db.ts';
import { requestBuildCommand } from '../../core/db/commands-requests.ts';

const status = (f: QueueFixture, id: number | undefined) => getBuild(f.db, id!)!.buildstatus;

test(`a failing dependency ends its dependents as "dependency failed", later builds as cached failure, \
and restart clears both`, async () => {
  const f = new QueueFixture();
  const flag = join(f.dir, 'dep-may-succeed');
  const expr = `let dep = job "dep" "if [ -e ${flag} ]; then echo ok > $out; else echo dep-is-broken; exit 1; fi"; in {
    inherit dep;
    top = job "top" "cat \${dep} > $out";
  }`;
  const ids = await f.queue(expr);
  const runner = createQueueRunner(f.config(), { log: f.log, db: f.db });
  await runner.runOnce();
  assert.equal(status(f, ids['dep']), BuildStatus.Failed);
  assert.equal(status(f, ids['top']), BuildStatus.DependencyFailed);
  const topSteps = buildSteps(f.db, ids['top']!);
  const depDrv = getBuild(f.db, ids['dep']!)!.drvpath;
  assert.ok(
    topSteps.some((s) => s.drvpath === depDrv && s.status === BuildStatus.Failed),
    'the dependent build shows which step failed',
  );

  // The same derivations queued again (another jobset): they end at once, nothing is built.
  const again = await f.queue(expr, 'other');
  await runner.runOnce();
  // As Hydra: 8 is a step status only; the builds are failed (1) and dependency failed (2), marked cached.
  assert.equal(status(f, again['dep']), BuildStatus.Failed);
  assert.equal(status(f, again['top']), BuildStatus.DependencyFailed);
  assert.equal(getBuild(f.db, again['dep']!)!.iscachedbuild, 1);
  assert.equal(getBuild(f.db, again['top']!)!.iscachedbuild, 1);
  assert.deepEqual(
    buildSteps(f.db, again['dep']!).map((s) => [s.status, s.machine]),
    [[BuildStatus.CachedFailure, '']],
    'nothing was built for the cached failure',
  );

  // Restarting the dependent build clears the cache and re-queues the failed dependency too.
  writeFileSync(flag, '');
  const depOut = Object.values((await f.nix.readDerivation(depDrv)).outputs)[0]!.path;
  assert.ok(isFailedPath(f.db, depOut));
  requestBuildCommand(f.db, 'restart', ids['top']!, 'alice');
  await runner.runOnce();
  assert.equal(isFailedPath(f.db, depOut), false);
  assert.equal(status(f, ids['top']), BuildStatus.Success);
  assert.equal(status(f, ids['dep']), BuildStatus.Success, 'the failed dependency build was restarted as well');
  const [handled] = queueCommands(f.db);
  assert.ok(handled!.handled);
  assert.match(handled!.result!, /restarted.*cleared.*also restarted dependency build/);
  await runner.stop();
});

test('meta.timeout and meta.maxSilent end a build with status 7; the build process is killed', async () => {
  const f = new QueueFixture();
  const pidDir = join(f.dir, 'pids');
  mkdirSync(pidDir);
  const ids = await f.queue(`{
    slow = withMeta { timeout = 2; } (job "slow" "echo $$ > ${pidDir}/slow; while true; do echo tick; sleep 0.2; done");
    quiet = withMeta { maxSilent = 1; } (job "quiet" "echo $$ > ${pidDir}/quiet; echo starting; sleep 60; echo > $out");
  }`);
  const runner = createQueueRunner(f.config(), { log: f.log, db: f.db });
  await runner.runOnce();
  for (const job of ['slow', 'quiet']) {
    assert.equal(status(f, ids[job]), BuildStatus.TimedOut, job);
    const pid = Number((await import('node:fs')).readFileSync(join(pidDir, job), 'utf8'));
    assert.equal(existsSync(`/proc/${pid}`), false, `${job}'s builder is gone`);
  }
  await runner.stop();
});

test('a step writing more log than --max-log-size ends with status 10', async () => {
  const f = new QueueFixture();
  const ids = await f.queue(
    `{ chatty = job "chatty" "i=0; while [ $i -lt 5000 ]; do echo line $i of a very chatty ` +
      `build; i=$((i+1)); done; echo > $out"; }`,
  );
  const runner = createQueueRunner(f.config(['--max-log-size', '10000']), { log: f.log, db: f.db });
  await runner.runOnce();
  assert.equal(status(f, ids['chatty']), BuildStatus.LogLimitExceeded);
  const step = buildSteps(f.db, ids['chatty']!)[0]!;
  const log = readStepLog(f.stateDir, step.logfile)!;
  assert.ok(log.length < 11000, 'the log stopped at the limit');
  assert.match(log, /log limit of 10000 bytes exceeded/);
  await runner.stop();
});

test('a step whose outputs are bigger than --max-output-size ends with status 11; small ones pass', async () => {
  const f = new QueueFixture();
  const ids = await f.queue(`{
    big = job "big" "head -c 20000 /dev/zero > $out";
    small = job "small" "echo small > $out";
  }`);
  const runner = createQueueRunner(f.config(['--max-output-size', '10000']), { log: f.log, db: f.db });
  await runner.runOnce();
  await runner.stop();
  assert.equal(status(f, ids['big']), BuildStatus.OutputLimitExceeded);
  assert.equal(status(f, ids['small']), BuildStatus.Success);
  const step = buildSteps(f.db, ids['big']!)[0]!;
  assert.equal(step.status, BuildStatus.OutputLimitExceeded);
  assert.match(step.errormsg!, /outputs take \d+ bytes, more than the limit of 10000 bytes/);
  assert.match(
    readStepLog(f.stateDir, step.logfile)!,
    /more than the limit of 10000 bytes/,
    'the reason is at the end of the log too',
  );
});

test(`nix-support/failed gives status 6, metrics and release name are kept, \
product paths outside the output are refused and the build log says why`, async () => {
  const f = new QueueFixture();
  const ids = await f.queue(`{
    withOutput = job "with-output" "mkdir -p $out/nix-support; echo report > $out/report.txt;
      touch $out/nix-support/failed";
    release = job "release" "mkdir -p $out/nix-support; echo 'runtime 12.5 s' > $out/nix-support/hydra-metrics;
      echo my-release-1.0 > $out/nix-support/hydra-release-name";
    hostile = job "hostile" ''
      mkdir -p $out/nix-support; echo fine > $out/fine.txt; ln -s /etc/passwd $out/link
      printf '%s\\n' "file doc $out/fine.txt" "file doc /etc/passwd" "file doc $out/../../../etc/shadow" \\
        "file doc $out/link" > $out/nix-support/hydra-build-products
    '';
  }`);
  const runner = createQueueRunner(f.config(), { log: f.log, db: f.db });
  await runner.runOnce();
  assert.equal(status(f, ids['withOutput']), BuildStatus.FailedWithOutput);
  assert.equal(status(f, ids['hostile']), BuildStatus.Success);
  const release = getBuild(f.db, ids['release']!)!;
  assert.equal(release.releasename, 'my-release-1.0');
  assert.ok(release.size! > 0 && release.closuresize! >= release.size!, 'output and closure sizes are recorded');
  assert.deepEqual(
    buildMetrics(f.db, release.id).map(({ name, value, unit }) => ({ name, value, unit })),
    [{ name: 'runtime', value: 12.5, unit: 's' }],
  );
  const products = buildProducts(f.db, ids['hostile']!);
  assert.ok(
    products.every((p) => !p.path.includes('/etc/') && !p.path.includes('..')),
    JSON.stringify(products),
  );
  const fine = products.find((p) => p.path.endsWith('/fine.txt'))!;
  assert.equal(fine.filesize, 5);
  assert.match(fine.sha256hash!, /^[0-9a-f]{64}$/);
  assert.ok(!products.some((p) => p.path.endsWith('/link') && p.sha256hash), 'a symlink is not hashed through');
  // The author of the job learns why a product is missing from the build log.
  const log = readStepLog(f.stateDir, buildSteps(f.db, ids['hostile']!)[0]!.logfile)!;
  assert.match(
    log,
    /hydrant: build product refused: "file doc \/etc\/passwd": path "\/etc\/passwd" is not inside the build's outputs/,
  );
  assert.match(log, /hydrant: build product refused: "file doc [^"]*\/\.\.\/\.\.\/\.\.\/etc\/shadow"/);
  assert.doesNotMatch(log, /fine\.txt/, 'good products are not mentioned');
  await runner.stop();
});

test('a step for a system or feature no machine has ends with status 9 after the configured wait', async () => {
  const f = new QueueFixture();
  const ids = await f.queue(`{
    riscv = jobWith "riscv" { system = "riscv64-linux"; } "echo > $out";
    needsKvm = jobWith "needs-kvm" { requiredSystemFeatures = [ "kvm" "big-parallel" ]; } "echo > $out";
    onTop = let base = jobWith "base-riscv" { system = "riscv64-linux"; } "echo > $out";
      in job "on-top" "cat \${base} > $out";
  }`);
  const runner = createQueueRunner(f.config(['--unsupported-wait', '1']), { log: f.log, db: f.db });
  const started = Date.now();
  await runner.runOnce();
  assert.ok(Date.now() - started >= 1000, 'it waited for a machine to appear');
  for (const job of ['riscv', 'onTop']) assert.equal(status(f, ids[job]), BuildStatus.Unsupported, job);
  // This machine has no usable /dev/kvm, so the default pool does not claim kvm.
  if (!existsSync('/dev/kvm')) assert.equal(status(f, ids['needsKvm']), BuildStatus.Unsupported);
  assert.match(buildSteps(f.db, ids['riscv']!)[0]!.errormsg!, /no build machine supports system riscv64-linux/);
  await runner.stop();
});
