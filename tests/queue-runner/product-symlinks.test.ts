// A product may point only inside the build output it belongs to: a product that is a
// symlink out, that lies behind a directory symlink out, or behind a link to another store
// path is refused when the build is recorded (never hashed through), and the step's log
// says why. Real nix builds the outputs.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildMetrics, buildProducts, buildSteps, getBuild } from '../../core/db/builds.ts';
import { readStepLog } from '../helpers/step-log.ts';
import { BuildStatus } from '../../core/model/status.ts';
import { createQueueRunner } from '../../queue-runner/index.ts';
import { QueueFixture } from '../helpers/queue-fixture.ts';

test(`products leading out of their output through a symlink are refused at record time \
and named in the step log`, async () => {
  const f = new QueueFixture();
  const db = join(f.stateDir, 'hydrant.sqlite');
  const ids = await f.queue(`let other = job "other" "mkdir $out; echo secret > $out/secret.txt"; in {
    hostile = job "hostile" ''
      mkdir -p $out/nix-support $out/docs; echo fine > $out/docs/fine.txt
      ln -s /etc/passwd $out/passwd; ln -s / $out/root; ln -s /etc $out/etc; ln -s ${db} $out/db
      ln -s \${other} $out/other; ln -s ../docs/fine.txt $out/docs/again.txt
      printf '%s\\n' "file doc $out/docs/fine.txt" "file doc $out/docs/again.txt" "file doc $out/passwd" \\
        "doc manual $out/root" "file doc $out/etc/passwd" "file db $out/db" "file doc $out/other/secret.txt" \\
        "file doc $out/root/etc/hostname" > $out/nix-support/hydra-build-products
    '';
  }`);
  const runner = createQueueRunner(f.config(), { log: f.log, db: f.db });
  await runner.runOnce();
  await runner.stop();
  assert.equal(getBuild(f.db, ids['hostile']!)!.buildstatus, BuildStatus.Success);
  const products = buildProducts(f.db, ids['hostile']!);
  assert.deepEqual(
    products.map((p) => p.path.replace(/^\/nix\/store\/[^/]+/, '$out')),
    ['$out/docs/fine.txt', '$out/docs/again.txt'],
  );
  assert.ok(
    products.every((p) => p.filesize === 5 && /^[0-9a-f]{64}$/.test(p.sha256hash!)),
    JSON.stringify(products),
  );
  const log = readStepLog(f.stateDir, buildSteps(f.db, ids['hostile']!).at(-1)!.logfile)!;
  for (const name of ['passwd', 'root', 'etc/passwd', 'db', 'other/secret.txt', 'root/etc/hostname']) {
    assert.match(
      log,
      new RegExp(
        `hydrant: build product refused: "/nix/store/[^/"]+/${name}" leads out of its output through a symlink`,
      ),
      name,
    );
  }
  assert.doesNotMatch(log, /fine\.txt|again\.txt/, 'good products are not mentioned');
});

test('nix-support itself may not be a link out of the output: its files are not read through it', async () => {
  const f = new QueueFixture();
  const ids = await f.queue(`let other = job "other-support" "mkdir -p $out/nix-support;
      echo 'leaked 1' > $out/nix-support/hydra-metrics; echo other-1.0 > $out/nix-support/hydra-release-name"; in {
    linked = job "linked-support" "mkdir $out; ln -s \${other}/nix-support $out/nix-support";
  }`);
  const runner = createQueueRunner(f.config(), { log: f.log, db: f.db });
  await runner.runOnce();
  await runner.stop();
  const build = getBuild(f.db, ids['linked']!)!;
  assert.equal(build.buildstatus, BuildStatus.Success);
  assert.equal(build.releasename, null);
  assert.deepEqual(buildMetrics(f.db, build.id), []);
});
