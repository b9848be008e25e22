// SIGTERM in the middle of a build, then a restart: nothing stays "running", the
// interrupted build is queued again and finishes.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openDatabase } from '../../core/db/database.ts';
import { HydrantProcess } from '../helpers/hydrant-process.ts';
import { tempDir } from '../helpers/temp.ts';
import { waitFor } from '../helpers/wait.ts';
import { allBuilds, busyStepCount } from '../helpers/db.ts';
import { buildSteps } from '../../core/db/builds.ts';
import { BuildStatus } from '../../core/model/status.ts';

const dir = tempDir();
const gate = join(dir, 'gate');
const jobsets = join(dir, 'jobsets');
mkdirSync(join(jobsets, 'src'), { recursive: true });
// The build waits for a file, so the test decides when it may finish.
writeFileSync(
  join(jobsets, 'src', 'release.nix'),
  `{
  slow = derivation {
    name = "slow-${process.pid}-${Date.now()}"; system = builtins.currentSystem; builder = "/bin/sh";
    PATH = "/usr/bin:/bin";
    args = [ "-c" "echo waiting; while [ ! -e ${gate} ]; do sleep 0.1; done; echo done > $out" ];
  };
}`,
);
writeFileSync(
  join(jobsets, 'p.json'),
  JSON.stringify({
    jobsets: { j: { nixexprinput: 'src', checkinterval: 1, inputs: { src: { type: 'path', value: './src' } } } },
  }),
);
const args = [
  'start',
  '--state-dir',
  join(dir, 'state'),
  '--gc-roots-dir',
  join(dir, 'gcroots'),
  '--port',
  '0',
  '--jobsets',
  jobsets,
  '--eval-tick',
  '1',
];
let current: HydrantProcess | undefined;
after(async () => {
  await current?.stop('SIGKILL');
});

test('SIGTERM mid-build re-queues the build, and after a restart it finishes', async () => {
  current = await new HydrantProcess(args).start();
  const db = openDatabase(join(dir, 'state', 'hydrant.sqlite'), { readonly: true });
  await waitFor('the build to be running', () => busyStepCount(db) > 0, 60);

  const code = await current.stop('SIGTERM');
  assert.equal(code, 0, 'clean exit on SIGTERM');
  assert.equal(busyStepCount(db), 0, 'no step left running');
  const [build] = allBuilds(db);
  assert.equal(build!.finished, 0, 'the interrupted build is queued again');
  const [step] = buildSteps(db, build!.id);
  assert.equal(step!.status, BuildStatus.Aborted);
  assert.match(step!.errormsg!, /interrupted/);

  writeFileSync(gate, '');
  current = await new HydrantProcess(args).start();
  const done = await waitFor('the build to finish', () => allBuilds(db).find((b) => b.finished === 1), 60);
  assert.equal(done.buildstatus, 0);
  db.close();
});
