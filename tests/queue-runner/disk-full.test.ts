// The state directory's disk fills up during a big log (a 2 MB tmpfs): the step ends with
// a clear status and message and is tried again, the queue runner lives on, and when space
// comes back the build goes on and succeeds.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { buildSteps, getBuild } from '../../core/db/builds.ts';
import { createQueueRunner } from '../../queue-runner/index.ts';
import { QueueFixture } from '../helpers/queue-fixture.ts';
import { readStepLog } from '../helpers/step-log.ts';
import { waitFor } from '../helpers/wait.ts';

// Not tempDir(): the tmpfs must be unmounted before its directory is removed.
const parent = mkdtempSync(join(tmpdir(), 'hydrant-tmpfs-'));
const mountpoint = join(parent, 'state');
mkdirSync(mountpoint);
execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mountpoint]);
after(() => {
  execFileSync('umount', [mountpoint]);
  rmSync(parent, { recursive: true, force: true });
});

test('a full disk ends the step as aborted with the reason, retried until space comes back', async () => {
  const f = new QueueFixture({ stateDir: mountpoint });
  // Four megabytes of log into a two-megabyte disk that also holds the database.
  const ids = await f.queue(
    `{ chatty = job "chatty" "i=0; while [ $i -lt 4000 ]; do printf '%01000d\\\\n' $i; ` +
      `i=$((i+1)); done; echo done > $out"; }`,
  );
  const runner = createQueueRunner(f.config(['--retry-interval', '1', '--max-tries', '10']), { log: f.log, db: f.db });
  runner.start();
  try {
    const failedStep = await waitFor(
      'a step that could not write its log',
      () => buildSteps(f.db, ids['chatty']!).find((s) => s.busy === 0 && s.status === 3),
      60,
    );
    assert.match(failedStep.errormsg ?? '', /cannot write the build log to .*no space left on device.*tried again/i);
    assert.equal(getBuild(f.db, ids['chatty']!)!.finished, 0, 'the build waits for another try');

    execFileSync('mount', ['-o', 'remount,size=64m', mountpoint]);
    const done = await waitFor(
      'the build to succeed once there is room',
      () => {
        const b = getBuild(f.db, ids['chatty']!)!;
        return b.finished === 1 && b;
      },
      120,
    );
    assert.equal(done.buildstatus, 0);
    const last = buildSteps(f.db, ids['chatty']!).at(-1)!;
    await waitFor(
      'the log to be compressed',
      () => last.logfile && buildSteps(f.db, ids['chatty']!).at(-1)!.logfile!.endsWith('.gz'),
      30,
    );
    assert.match(readStepLog(f.stateDir, buildSteps(f.db, ids['chatty']!).at(-1)!.logfile)!, /^0{997}999$/m);
  } finally {
    await runner.stop();
    f.db.close();
  }
});
