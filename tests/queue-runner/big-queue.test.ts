// A big queue (Hydra #212: 88 s between "starting" and the first build with 140k pending):
// the first step starts after one batch of the queue was read, not the whole of it, and every
// build is still taken in and built.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Derivation } from '../../core/nix/nix.ts';
import { CliNix } from '../../core/nix/cli-nix.ts';
import { createQueueRunner } from '../../queue-runner/index.ts';
import { ADMIT_BATCH } from '../../queue-runner/queue-backlog.ts';
import { cachedBuildJobs, onStepInserted, unfinishedAndFailedCounts } from '../helpers/db.ts';
import { QueueFixture } from '../helpers/queue-fixture.ts';

/** Real Nix that notes which derivations it was asked to read. */
class WatchedNix extends CliNix {
  readonly read = new Set<string>();

  override readDerivation(drvPath: string): Promise<Derivation> {
    this.read.add(drvPath);
    return super.readDerivation(drvPath);
  }
}

test(`with more builds queued than one batch, the first step starts before the rest is read; \
all are built`, async () => {
  const f = new QueueFixture();
  const n = ADMIT_BATCH * 2 + 100;
  const ids = await f.queue(
    `builtins.listToAttrs (builtins.genList (i: { name = "j\${toString i}"; ` +
      `value = job "big-\${toString i}" "echo \${toString i} > $out"; }) ${n})`,
  );
  assert.equal(Object.keys(ids).length, n);
  const nix = new WatchedNix();
  // The moment the first step starts is the moment its row is written (same connection).
  let readBeforeFirstStep = -1;
  onStepInserted(f.db, () => {
    if (readBeforeFirstStep < 0) readBeforeFirstStep = nix.read.size;
  });
  const runner = createQueueRunner(f.config(), { log: f.log, db: f.db, nix });
  assert.equal(await runner.runOnce(), n, 'every queued build was taken in');
  assert.ok(
    readBeforeFirstStep > 0 && readBeforeFirstStep <= ADMIT_BATCH,
    `the first step started after ${readBeforeFirstStep} of ${n} derivations were read (at most ` +
      `one batch of ${ADMIT_BATCH})`,
  );
  assert.deepEqual(unfinishedAndFailedCounts(f.db), { unfinished: 0, failed: 0 });
  assert.deepEqual(
    cachedBuildJobs(f.db),
    [],
    'no build was finished twice (taken in again as cached while its result was being written)',
  );
  await runner.stop();
});
