// The login limit holds under concurrency: each attempt is counted before its password is
// checked, per user name and per client address.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { addUser, startWebFixture, type WebFixture } from '../helpers/web-fixture.ts';

let w: WebFixture;
before(async () => {
  w = await startWebFixture();
  await addUser(w.db, 'victim', 'the right one');
  await addUser(w.db, 'other', 'other pass');
});
after(() => w.stop());

const attempt = (username: string, password: string) =>
  fetch(`${w.url}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', Origin: w.url },
    body: JSON.stringify({ username, password }),
  }).then(async (r) => {
    await r.arrayBuffer();
    return r.status;
  });

test('100 concurrent wrong guesses for one user: at most five are checked, the rest answer 429', async () => {
  const statuses = await Promise.all(Array.from({ length: 100 }, (_, i) => attempt('victim', `guess ${i}`)));
  const checked = statuses.filter((s) => s === 403).length;
  assert.ok(checked <= 5, `${checked} guesses were checked`);
  assert.equal(statuses.filter((s) => s === 429).length, 100 - checked);
  assert.equal(await attempt('victim', 'the right one'), 429, 'even the right password waits now');
});

test('the limit per client address holds across user names', async () => {
  // 'other' is not limited as a user, but this address has used up its attempts on made-up names.
  const statuses = await Promise.all(Array.from({ length: 40 }, (_, i) => attempt(`nobody-${i}`, 'guess')));
  assert.ok(statuses.includes(429), 'a spray over many user names is stopped');
  assert.ok(statuses.filter((s) => s === 403).length <= 20, JSON.stringify(statuses));
  assert.equal(await attempt('other', 'other pass'), 429);
});
