// A build whose outputs already existed (built by hand, or by another jobset) has no step
// of its own; its log page shows the log Nix kept when it was built.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { optionFlags } from '../../core/nix/options.ts';
import { createEvaluator } from '../../evaluator/index.ts';
import { createQueueRunner } from '../../queue-runner/index.ts';
import { createWebServer } from '../../server/index.ts';
import { get } from '../helpers/http.ts';
import { inProcess } from '../helpers/roles.ts';
import { tempDir } from '../helpers/temp.ts';
import { allBuilds } from '../helpers/db.ts';

test('the log of a build that found its outputs already built is the log Nix kept', async () => {
  const dir = tempDir();
  const marker = `built-by-hand-${randomUUID()}`;
  mkdirSync(join(dir, 'jobsets', 'src'), { recursive: true });
  const expr = join(dir, 'jobsets', 'src', 'release.nix');
  writeFileSync(
    expr,
    `{ job = derivation { name = "by-hand"; system = builtins.currentSystem; ` +
      `builder = "/bin/sh"; args = [ "-c" "echo ${marker}; echo > $out" ]; }; }`,
  );
  execFileSync('nix-build', [expr, '-A', 'job', '--no-out-link', ...optionFlags()], { stdio: 'ignore' });
  writeFileSync(
    join(dir, 'jobsets', 'p.json'),
    JSON.stringify({
      jobsets: { j: { nixexprinput: 'src', checkinterval: 3600, inputs: { src: { type: 'path', value: './src' } } } },
    }),
  );

  const { config, db, log } = inProcess(join(dir, 'state'), ['--jobsets', join(dir, 'jobsets')]);
  await createEvaluator(config, { log, db }).runOnce();
  const runner = createQueueRunner(config, { log, db });
  await runner.runOnce();
  await runner.stop();
  const build = allBuilds(db)[0]!;
  assert.deepEqual([build.finished, build.buildstatus, build.iscachedbuild], [1, 0, 1], 'finished at once as cached');

  const server = createWebServer(config, { log, db });
  await server.start();
  try {
    const raw = await get(`${server.url()}/build/${build.id}/log/raw`);
    assert.equal(raw.status, 200);
    assert.match(raw.text, new RegExp(marker));
    assert.match((await get(`${server.url()}/build/${build.id}/log`)).text, new RegExp(marker));
  } finally {
    await server.stop();
  }
});
