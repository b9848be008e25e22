// The `private` key: set through the project form and PUT /project/P; a private project is
// "not found" for anyone but its owner, members and admins.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { getProject } from '../../core/db/projects.ts';
import { addUser, login, startWebFixture, type WebFixture } from '../helpers/web-fixture.ts';

let w: WebFixture;
let admin: string;
before(async () => {
  w = await startWebFixture();
  await addUser(w.db, 'boss', 'boss password', ['admin']);
  admin = await login(w.url, 'boss', 'boss password');
});
after(() => w.stop());

const headers = (cookie: string, type: string) => ({
  Cookie: cookie,
  Origin: w.url,
  'Content-Type': type,
  Accept: type === 'application/json' ? type : 'text/html',
});

test('the project form makes a project private, and shows the box ticked when editing it', async () => {
  const r = await fetch(`${w.url}/create-project`, {
    method: 'POST',
    redirect: 'manual',
    headers: headers(admin, 'application/x-www-form-urlencoded'),
    body: new URLSearchParams({
      name: 'quiet',
      displayname: 'Quiet',
      enabled: 'on',
      visible: 'on',
      private: 'on',
    }).toString(),
  });
  assert.equal(r.status, 303);
  assert.equal(getProject(w.db, 'quiet')!.private, 1);
  assert.equal((await fetch(`${w.url}/project/quiet`)).status, 404);
  assert.doesNotMatch(await (await fetch(`${w.url}/`)).text(), /quiet/i);
  assert.match(
    await (await fetch(`${w.url}/project/quiet/edit`, { headers: { Cookie: admin } })).text(),
    /name="private" checked/,
  );
  // Unticking it in the form makes it public again.
  await fetch(`${w.url}/project/quiet/edit`, {
    method: 'POST',
    redirect: 'manual',
    headers: headers(admin, 'application/x-www-form-urlencoded'),
    body: new URLSearchParams({ displayname: 'Quiet', enabled: 'on', visible: 'on' }).toString(),
  });
  assert.equal(getProject(w.db, 'quiet')!.private, 0);
  assert.equal((await fetch(`${w.url}/project/quiet`)).status, 200);
});

test('PUT /project/P takes "private" and answers it in the project JSON', async () => {
  const put = await fetch(`${w.url}/project/hushed`, {
    method: 'PUT',
    headers: headers(admin, 'application/json'),
    body: JSON.stringify({ displayname: 'Hushed', private: true }),
  });
  assert.equal(put.status, 201);
  assert.equal((await fetch(`${w.url}/project/hushed`, { headers: { Accept: 'application/json' } })).status, 404);
  const seen = (await (
    await fetch(`${w.url}/project/hushed`, { headers: { Accept: 'application/json', Cookie: admin } })
  ).json()) as { private: boolean };
  assert.equal(seen.private, true);
  const bad = await fetch(`${w.url}/project/hushed`, {
    method: 'PUT',
    headers: headers(admin, 'application/json'),
    body: JSON.stringify({ private: 'maybe' }),
  });
  assert.equal(bad.status, 400);
});
