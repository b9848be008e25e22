// The login limit is kept in the database, so two server processes on one database (as
// `--server-workers 2` runs them) share it: guesses spread over both get no more tries.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readConfig } from '../../core/config.ts';
import { createLogger } from '../../core/log.ts';
import { createWebServer, type WebServer } from '../../server/index.ts';
import { addUser, startWebFixture, type WebFixture } from '../helpers/web-fixture.ts';

let w: WebFixture;
let second: WebServer;
before(async () => {
  w = await startWebFixture();
  await addUser(w.db, 'victim', 'the right one');
  // Its own connection to the same database file, as another worker process has.
  const { config } = readConfig(
    ['--state-dir', w.stateDir, '--port', '0', '--gc-roots-dir', join(w.stateDir, 'gcroots')],
    {},
  );
  second = createWebServer(config, { log: createLogger('silent') });
  await second.start();
});
after(async () => {
  await second.stop();
  await w.stop();
});

const attempt = (url: string, password: string) =>
  fetch(`${url}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', Origin: url },
    body: JSON.stringify({ username: 'victim', password }),
  }).then(async (r) => {
    await r.arrayBuffer();
    return r.status;
  });

test('wrong guesses alternating between two server processes are counted together', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 10; i++) statuses.push(await attempt(i % 2 ? second.url() : w.url, `guess ${i}`));
  // Five per user name in all, not five per process.
  assert.deepEqual(statuses, [403, 403, 403, 403, 403, 429, 429, 429, 429, 429]);
  assert.equal(await attempt(second.url(), 'the right one'), 429, 'the other process knows too');
});
