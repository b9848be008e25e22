// Failures inside the server become a 500 page or JSON error without internals.
import { openLocalStore } from '../../core/nix/local-store.ts';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readConfig } from '../../core/config.ts';
import { openDatabase } from '../../core/db/database.ts';
import { migrate } from '../../core/db/migrate.ts';
import { createLogger } from '../../core/log.ts';
import { createApp } from '../../server/app.ts';
import { createRateLimiter } from '../../server/auth/rate-limit.ts';
import { createReadCache } from '../../server/cache.ts';
import { get } from '../helpers/http.ts';
import { tempDir } from '../helpers/temp.ts';

const { config } = readConfig(['--state-dir', tempDir(), '--gc-roots-dir', join(tempDir(), 'gcroots')], {});
const db = openDatabase(config.dbPath);
migrate(db);
let url = '';
let close = () => {};

before(async () => {
  // A renderer that fails like a template bug would, for every page including the error page.
  const explode = () => {
    throw new Error('template exploded at /secret/path/layout.hbs:12');
  };
  const render = Object.assign(explode, { fragment: explode });
  const app = createApp({
    db,
    render,
    config,
    log: createLogger('silent'),
    cache: createReadCache(db),
    loginLimiter: createRateLimiter(db, 5, 300),
    nix: { readLog: async () => null },
    store: openLocalStore(),
    cacheKey: null,
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
});
after(() => {
  close();
  db.close();
});

test('a failing page answers 500 without a stack trace or the error message', async () => {
  const r = await get(`${url}/`);
  assert.equal(r.status, 500);
  assert.equal(r.text, 'Internal server error');
  assert.doesNotMatch(r.text, /exploded|secret|\.ts:|at /);
  const j = await get(`${url}/`, { json: true });
  assert.equal(j.status, 200, 'the JSON answer does not render templates');
});

test('a 404 whose page cannot render still says only what was not found', async () => {
  const r = await get(`${url}/nowhere`);
  assert.equal(r.status, 404);
  assert.equal(r.text, 'Not found: /nowhere');
});
