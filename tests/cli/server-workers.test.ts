// Several web server processes share one port (--server-workers): kill -9 of one leaves
// the site answering without a gap while it is restarted.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { HydrantProcess } from '../helpers/hydrant-process.ts';
import { tempDir } from '../helpers/temp.ts';
import { waitFor } from '../helpers/wait.ts';

let hydrant: HydrantProcess | undefined;
after(async () => { await hydrant?.stop('SIGKILL'); });
const dir = tempDir();

function serverPids(): number[] {
  return [...hydrant!.logs().matchAll(/"role":"server","child":(\d+),"worker":\d+,"msg":"server started"/g)].map((m) => Number(m[1]));
}

test('two server processes on one port; killing one leaves no gap', async () => {
  const jobsets = join(dir, 'jobsets');
  mkdirSync(jobsets);
  writeFileSync(join(jobsets, 'empty.json'), JSON.stringify({ jobsets: {} }));
  hydrant = await new HydrantProcess(['start', '--state-dir', join(dir, 'state'), '--gc-roots-dir', join(dir, 'gcroots'), '--port', '0', '--jobsets', jobsets, '--server-workers', '2']).start();
  await waitFor('both servers to listen', () => hydrant!.logs().split('"msg":"web server listening"').length === 3, 60);
  const urls = new Set([...hydrant.logs().matchAll(/"url":"(http:[^"]+)","msg":"web server listening"/g)].map((m) => m[1]));
  assert.equal(urls.size, 1, 'one port');
  const [first] = serverPids();
  process.kill(first!, 'SIGKILL');
  const until = Date.now() + 3000;
  while (Date.now() < until) {
    const res: Response = await fetch(`${hydrant.url}/`, { signal: AbortSignal.timeout(5000) });
    assert.equal(res.status, 200);
    await res.text();
  }
  await waitFor('the killed server to be replaced', () => hydrant!.logs().split('"msg":"web server listening"').length === 4, 60);
  assert.equal(serverPids().length, 3);
  assert.equal(await hydrant.stop('SIGTERM'), 0);
});
