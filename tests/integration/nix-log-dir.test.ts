// Step logs are also kept where Nix keeps build logs (as Hydra's queue runner does), so
// `nix-store -l` shows them, and a build that finds its outputs already built, in this
// hydrant or in another one on the same machine, shows the log of the build that made them,
// marked cached.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { buildSteps, getBuild } from '../../core/db/builds.ts';
import { optionFlags } from '../../core/nix/options.ts';
import { createQueueRunner } from '../../queue-runner/index.ts';
import { createWebServer } from '../../server/index.ts';
import { get } from '../helpers/http.ts';
import { QueueFixture } from '../helpers/queue-fixture.ts';

const marker = `made-once-${randomUUID()}`;
const body = `{ shared = derivation {
  name = "shared-log"; system = builtins.currentSystem; builder = "/bin/sh";
  args = [ "-c" "echo ${marker}; printf 'no newline at the end'; echo > $out" ];
}; }`;

async function build(f: QueueFixture, jobset: string): Promise<number> {
  const ids = await f.queue(body, jobset);
  const runner = createQueueRunner(f.config(), { log: f.log, db: f.db });
  await runner.runOnce();
  await runner.stop();
  return ids['shared']!;
}

async function logPage(f: QueueFixture, id: number): Promise<{ page: string; raw: string }> {
  const server = createWebServer(f.config(['--port', '0']), { log: f.log, db: f.db });
  await server.start();
  try {
    const page = await get(`${server.url()}/build/${id}/log`);
    const raw = await get(`${server.url()}/build/${id}/log/raw`);
    assert.equal(page.status, 200);
    assert.equal(raw.status, 200);
    return { page: page.text, raw: raw.text };
  } finally {
    await server.stop();
  }
}

test('nix-store -l shows a step log; a cached build here and in a second hydrant show it, marked cached', async () => {
  const first = new QueueFixture();
  const made = await build(first, 'main');
  assert.equal(getBuild(first.db, made)!.buildstatus, 0);
  const drv = getBuild(first.db, made)!.drvpath;
  const kept = execFileSync('nix-store', ['-l', drv, ...optionFlags()], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  assert.match(kept, new RegExp(`${marker}\nno newline at the end`));

  // Another jobset of the same hydrant: the outputs are valid, the build is cached.
  const again = await build(first, 'other');
  assert.notEqual(again, made);
  assert.equal(getBuild(first.db, again)!.iscachedbuild, 1);
  assert.equal(buildSteps(first.db, again).length, 0);
  const here = await logPage(first, again);
  assert.match(here.raw, new RegExp(marker));
  assert.match(
    here.page,
    new RegExp(
      `already built by <a href="/build/${made}">build ${made}</a>: ` +
        `this is the log of the build that made them \\(cached\\)`,
    ),
  );

  // A second hydrant (its own state directory) finds the outputs built by the first.
  const second = new QueueFixture();
  const cached = await build(second, 'main');
  assert.equal(getBuild(second.db, cached)!.iscachedbuild, 1);
  const there = await logPage(second, cached);
  assert.match(there.raw, new RegExp(`${marker}\nno newline at the end`));
  assert.match(there.page, /this is the log of the build that made them \(cached\)/);
  assert.match(there.page, new RegExp(marker));
});
