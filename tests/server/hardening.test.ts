// Smaller holes found beside the big ones: unknown jobs, /api/push by repository, the
// same-origin check against a forged Host, and the session cookie over https.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readConfig } from '../../core/config.ts';
import { openDatabase } from '../../core/db/database.ts';
import { getJobset } from '../../core/db/jobsets.ts';
import { migrate } from '../../core/db/migrate.ts';
import { saveUser } from '../../core/db/users.ts';
import { createLogger } from '../../core/log.ts';
import { hashPassword } from '../../core/password.ts';
import { createWebServer } from '../../server/index.ts';
import {
  addEval,
  addJobset,
  addProject,
  addUser,
  login,
  startWebFixture,
  type WebFixture,
} from '../helpers/web-fixture.ts';
import { tempDir } from '../helpers/temp.ts';

let w: WebFixture;
let dev: string;
before(async () => {
  w = await startWebFixture();
  addProject(w.db, 'mine');
  addEval(w.db, addJobset(w.db, 'mine', 'main', 'https://git.example/mine.git'), [{ name: 'hello' }]);
  addProject(w.db, 'theirs');
  addJobset(w.db, 'theirs', 'main', 'https://git.example/their-secret-repo.git');
  await addUser(w.db, 'dev', 'dev password', [], ['mine']);
  dev = await login(w.url, 'dev', 'dev password');
});
after(() => w.stop());

test('a job that does not exist answers 404, as HTML and JSON; a real one answers', async () => {
  assert.equal((await fetch(`${w.url}/job/mine/main/hello`)).status, 200);
  for (const accept of ['text/html', 'application/json']) {
    const r = await fetch(`${w.url}/job/mine/main/no-such-job`, { headers: { Accept: accept } });
    assert.equal(r.status, 404, accept);
  }
});

test('/api/push?repos=URL answers the same whether or not another project polls that URL', async () => {
  const push = async (url: string) => {
    const r = await fetch(`${w.url}/api/push?repos=${encodeURIComponent(url)}`, {
      method: 'POST',
      headers: { Cookie: dev, Origin: w.url, Accept: 'application/json' },
    });
    return `${r.status} ${await r.text()}`;
  };
  assert.equal(
    await push('https://git.example/their-secret-repo.git'),
    await push('https://git.example/nothing-polls-this.git'),
  );
  assert.match(await push('https://git.example/mine.git'), /^200 .*mine:main/, 'its own jobsets it triggers');
  assert.equal(getJobset(w.db, 'theirs', 'main')!.triggertime, null);
});

/** A raw request whose Host header says what a DNS-rebinding page would. */
function postWithHost(url: string, host: string, origin: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/logout`,
      { method: 'POST', headers: { Host: host, Origin: origin, Cookie: dev, Accept: 'application/json' } },
      (res) => {
        res.resume();
        resolve(res.statusCode!);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

test('the same-origin check compares with the base URL, not with the Host header the request brings', async () => {
  assert.equal(await postWithHost(w.url, 'evil.example', 'http://evil.example'), 403);
  assert.equal(await postWithHost(w.url, new URL(w.url).host, w.url), 200);
});

test('a loopback site refuses other names in Host, reads included (DNS rebinding)', async () => {
  const get = (host: string) =>
    new Promise<number>((resolve, reject) => {
      request(`${w.url}/project/mine`, { headers: { Host: host } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      })
        .on('error', reject)
        .end();
    });
  assert.equal(await get('rebound.evil.example:1234'), 403);
  const port = new URL(w.url).port;
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`])
    assert.equal(await get(host), 200, host);
});

test('the session cookie is Secure when the base URL is https', async () => {
  const dir = tempDir();
  const { config } = readConfig(
    [
      '--state-dir',
      join(dir, 'state'),
      '--port',
      '0',
      '--base-url',
      'https://ci.example.org',
      '--gc-roots-dir',
      join(dir, 'gcroots'),
    ],
    {},
  );
  const db = openDatabase(config.dbPath);
  migrate(db);
  saveUser(db, { username: 'ada', passwordHash: await hashPassword('a password'), roles: [] });
  const server = createWebServer(config, { log: createLogger('silent'), db });
  await server.start();
  try {
    const r = await fetch(`${server.url()}/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', Origin: 'https://ci.example.org' },
      body: JSON.stringify({ username: 'ada', password: 'a password' }),
    });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('set-cookie') ?? '', /;\s*Secure/i);
    const forged = await fetch(`${server.url()}/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', Origin: server.url() },
      body: JSON.stringify({ username: 'ada', password: 'a password' }),
    });
    assert.equal(forged.status, 403, 'with a base URL set, only its origin may post');
  } finally {
    await server.stop();
    db.close();
  }
});
