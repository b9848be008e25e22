// The HTML forms for projects and jobsets: same rules as the JSON API, and a bad form comes
// back with its error and everything the user typed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { getJobset, jobsetInputs } from '../../core/db/jobsets.ts';
import { getProject } from '../../core/db/projects.ts';
import { addProject, addUser, login, startWebFixture, type WebFixture } from '../helpers/web-fixture.ts';

let w: WebFixture;
let admin: string;
let member: string;

before(async () => {
  w = await startWebFixture();
  addProject(w.db, 'team');
  await addUser(w.db, 'boss', 'boss password', ['admin']);
  await addUser(w.db, 'dev', 'dev password', [], ['team']);
  admin = await login(w.url, 'boss', 'boss password');
  member = await login(w.url, 'dev', 'dev password');
});
after(() => w.stop());

const post = (path: string, cookie: string, form: Record<string, string>) =>
  fetch(w.url + path, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      Cookie: cookie,
      Origin: w.url,
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'text/html',
    },
    body: new URLSearchParams(form).toString(),
  });

test('an admin creates a project through the form; the home page offers it only to those who may', async () => {
  assert.match(await (await fetch(`${w.url}/`, { headers: { Cookie: admin } })).text(), /href="\/create-project"/);
  assert.doesNotMatch(
    await (await fetch(`${w.url}/`, { headers: { Cookie: member } })).text(),
    /href="\/create-project"/,
  );
  assert.equal((await fetch(`${w.url}/create-project`, { headers: { Cookie: member } })).status, 403);
  const r = await post('/create-project', admin, {
    name: 'made',
    displayname: 'Made here',
    enabled: 'on',
    visible: 'on',
  });
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), '/project/made');
  assert.equal(getProject(w.db, 'made')!.displayname, 'Made here');
  const again = await post('/create-project', admin, { name: 'made', displayname: 'Other' });
  assert.equal(again.status, 400);
  assert.match(await again.text(), /project made already exists/);
  assert.equal(getProject(w.db, 'made')!.displayname, 'Made here');
});

test('a member creates and edits a jobset; a bad form comes back with the error and the typed values', async () => {
  const created = await post('/project/team/create-jobset', member, {
    name: 'trunk',
    nixexprinput: 'src',
    nixexprpath: 'release.nix',
    checkinterval: '60',
    enabled: 'on',
    visible: 'on',
    inputs: 'src git https://git.example/team.git main\nflag boolean true',
  });
  assert.equal(created.status, 303);
  const jobset = getJobset(w.db, 'team', 'trunk')!;
  assert.equal(jobset.checkinterval, 60);
  assert.deepEqual(
    jobsetInputs(w.db, jobset.id).map((i) => [i.name, i.type, i.value]),
    [
      ['flag', 'boolean', 'true'],
      ['src', 'git', 'https://git.example/team.git main'],
    ],
  );
  const bad = await post('/jobset/team/trunk/edit', member, {
    nixexprinput: 'missing',
    nixexprpath: 'other.nix',
    description: 'typed <text>',
    inputs: 'src git https://git.example/x.git',
  });
  assert.equal(bad.status, 400);
  const page = await bad.text();
  assert.match(page, /&quot;nixexprinput&quot; names &quot;missing&quot;, which is not one of its inputs/);
  assert.match(page, /value="typed &lt;text&gt;"/, 'what the user typed is kept');
  assert.equal(getJobset(w.db, 'team', 'trunk')!.nixexprpath, 'release.nix', 'nothing was saved');
  const edit = await fetch(`${w.url}/jobset/team/trunk/edit`, { headers: { Cookie: member } });
  assert.match(await edit.text(), /src git https:\/\/git.example\/team.git main/);
});

test('deleting through the forms needs the right role', async () => {
  assert.equal((await post('/project/team/delete', member, {})).status, 403);
  assert.equal((await post('/jobset/team/trunk/delete', member, {})).status, 303);
  assert.equal(getJobset(w.db, 'team', 'trunk'), undefined);
  assert.equal((await post('/project/made/delete', admin, {})).status, 303);
  assert.equal(getProject(w.db, 'made'), undefined);
  assert.ok(getProject(w.db, 'team'));
});
