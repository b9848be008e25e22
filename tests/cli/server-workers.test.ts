// Several web server processes share one port (--server-workers): kill -9 of one leaves
// the site answering without a gap while it is restarted.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { HydrantProcess } from '../helpers/hydrant-process.ts';
import { tempDir } from '../helpers/temp.ts';
import { waitFor } from '../helpers/wait.ts';

let hydrant: HydrantProcess | undefined;
after(async () => {
  await hydrant?.stop('SIGKILL');
});
const dir = tempDir();

/**
 * One request on a new connection. A connection the primary had just handed to the worker
 * that was killed is reset; a browser retries such an idempotent request once, and so does
 * this probe. An answer that never comes, or a second reset, is a gap.
 */
async function status(url: string): Promise<number> {
  try {
    return await statusOnce(url);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ECONNRESET') throw e;
    return statusOnce(url);
  }
}

function statusOnce(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpGet(url, { agent: false, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    // The timeout option only says so; without this a connection nobody answers would wait forever.
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within 5 s`)));
    req.on('error', reject);
  });
}

function serverPids(): number[] {
  return [...hydrant!.logs().matchAll(/"role":"server","child":(\d+),"worker":\d+,"msg":"server started"/g)].map((m) =>
    Number(m[1]),
  );
}

test('two server processes on one port; killing one leaves no gap', async () => {
  const jobsets = join(dir, 'jobsets');
  mkdirSync(jobsets);
  writeFileSync(join(jobsets, 'empty.json'), JSON.stringify({ jobsets: {} }));
  hydrant = await new HydrantProcess([
    'start',
    '--state-dir',
    join(dir, 'state'),
    '--gc-roots-dir',
    join(dir, 'gcroots'),
    '--port',
    '0',
    '--jobsets',
    jobsets,
    '--server-workers',
    '2',
  ]).start();
  await waitFor('both servers to listen', () => hydrant!.logs().split('"msg":"web server listening"').length === 3, 60);
  const urls = new Set(
    [...hydrant.logs().matchAll(/"url":"(http:[^"]+)","msg":"web server listening"/g)].map((m) => m[1]),
  );
  assert.equal(urls.size, 1, 'one port');
  const [first] = serverPids();
  process.kill(first!, 'SIGKILL');
  const until = Date.now() + 3000;
  let answered = 0;
  while (Date.now() < until) {
    // A new connection each time: a kept-alive one to the killed process would say nothing about the site.
    assert.equal(await status(`${hydrant.url}/`), 200);
    answered++;
  }
  assert.ok(answered > 5);
  await waitFor(
    'the killed server to be replaced',
    () => hydrant!.logs().split('"msg":"web server listening"').length === 4,
    60,
  );
  assert.equal(serverPids().length, 3);
  assert.equal(await hydrant.stop('SIGTERM'), 0);
});
