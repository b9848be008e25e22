// Users, sessions and who may do what: anonymous, project member, admin; same-origin
// checks; actions become queue_commands rows (and unauthorised ones create none).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { getBuild } from '../../core/db/builds.ts';
import { getJobset } from '../../core/db/jobsets.ts';
import { getProject } from '../../core/db/projects.ts';
import {
  addEval,
  addJobset,
  addProject,
  addUser,
  login,
  runStep,
  startWebFixture,
  type WebFixture,
} from '../helpers/web-fixture.ts';
import { clearTriggers, queueCommands, setProjectPrivate } from '../helpers/db.ts';

let w: WebFixture;
let built: number;
let queued: number;
let otherBuild: number;
let evalId: number;
let admin: string;
let member: string;

before(async () => {
  w = await startWebFixture();
  addProject(w.db, 'mine', { owner: 'owner' });
  addProject(w.db, 'other');
  const js = addJobset(w.db, 'mine', 'main', 'https://git.example/mine.git');
  const e = addEval(w.db, js, [{ name: 'built' }, { name: 'queued' }]);
  evalId = e.evalId;
  built = e.buildIds['built']!;
  queued = e.buildIds['queued']!;
  runStep(w.db, w.stateDir, built, { log: 'x\n', status: 1 });
  otherBuild = addEval(w.db, addJobset(w.db, 'other', 'main'), [{ name: 'x' }]).buildIds['x']!;
  await addUser(w.db, 'root', 'correct horse', ['admin']);
  await addUser(w.db, 'mem', 'member pass', [], ['mine']);
  await addUser(w.db, 'victim', 'victim pass');
  admin = await login(w.url, 'root', 'correct horse');
  member = await login(w.url, 'mem', 'member pass');
});
after(() => w.stop());

const commands = () =>
  queueCommands(w.db).map(({ kind, build_id, eval_id, username }) => ({ kind, build_id, eval_id, username }));

function send(
  method: string,
  path: string,
  opts: {
    cookie?: string;
    origin?: string | null;
    referer?: string;
    json?: unknown;
    form?: Record<string, string>;
  } = {},
) {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (opts.cookie) headers['Cookie'] = opts.cookie;
  if (opts.origin !== null) headers['Origin'] = opts.origin ?? w.url;
  if (opts.referer) headers['Referer'] = opts.referer;
  let body: string | undefined;
  if (opts.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.json);
  }
  if (opts.form) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(opts.form).toString();
    headers['Accept'] = 'text/html';
  }
  return fetch(w.url + path, { method, headers, body, redirect: 'manual' });
}

test('JSON login answers the user as Hydra does; a wrong password is 403', async () => {
  const ok = await send('POST', '/login', { json: { username: 'root', password: 'correct horse' } });
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), { username: 'root', fullname: '', emailaddress: '', userroles: ['admin'] });
  assert.match(ok.headers.get('set-cookie') ?? '', /hydrant_session=.*HttpOnly.*SameSite=Lax/i);
  const bad = await send('POST', '/login', { json: { username: 'root', password: 'wrong' } });
  assert.equal(bad.status, 403);
  assert.equal((await send('POST', '/login', { json: { username: 'nobody', password: 'wrong' } })).status, 403);
});

test('failed logins are rate limited per user: after five, even the right password waits', async () => {
  for (let i = 0; i < 5; i++)
    assert.equal((await send('POST', '/login', { json: { username: 'victim', password: `guess ${i}` } })).status, 403);
  const limited = await send('POST', '/login', { json: { username: 'victim', password: 'victim pass' } });
  assert.equal(limited.status, 429);
  assert.match(((await limited.json()) as { error: string }).error, /too many/);
});

test('anonymous users read but cannot act; no command is recorded', async () => {
  const before = commands().length;
  for (const path of [
    `/build/${built}/restart`,
    `/build/${queued}/cancel`,
    `/build/${queued}/bump`,
    '/jobset/mine/main/trigger',
    ...['restart-failed', 'restart-aborted', 'cancel', 'bump'].map((a) => `/eval/${evalId}/${a}`),
  ]) {
    assert.equal((await send('POST', path)).status, 401, path);
  }
  assert.equal((await send('POST', `/build/${built}/keep/1`)).status, 401);
  assert.equal(commands().length, before);
  assert.equal(getBuild(w.db, built)!.keep, 0);
});

test('a project member restarts, cancels and bumps through queue_commands; other projects are refused', async () => {
  const before = commands().length;
  assert.equal((await send('POST', `/build/${built}/restart`, { cookie: member })).status, 200);
  assert.equal((await send('POST', `/build/${queued}/cancel`, { cookie: member })).status, 200);
  assert.equal((await send('POST', `/build/${queued}/bump`, { cookie: member })).status, 200);
  for (const action of ['restart-failed', 'restart-aborted', 'cancel', 'bump']) {
    assert.equal((await send('POST', `/eval/${evalId}/${action}`, { cookie: member })).status, 200, action);
  }
  assert.deepEqual(commands().slice(before), [
    { kind: 'restart', build_id: built, eval_id: null, username: 'mem' },
    { kind: 'cancel', build_id: queued, eval_id: null, username: 'mem' },
    { kind: 'bump', build_id: queued, eval_id: null, username: 'mem' },
    ...['restart-failed-of-eval', 'restart-aborted-of-eval', 'cancel-eval', 'bump-eval'].map((kind) => ({
      kind,
      build_id: null,
      eval_id: evalId,
      username: 'mem',
    })),
  ]);
  assert.equal(getBuild(w.db, built)!.finished, 1, 'the server never changes a build status itself');
  const refused = await send('POST', `/build/${otherBuild}/restart`, { cookie: member });
  assert.equal(refused.status, 403);
  assert.equal(commands().length, before + 7);
});

test('keep is set directly; trigger sets triggertime', async () => {
  assert.equal((await send('POST', `/build/${built}/keep/1`, { cookie: member })).status, 200);
  assert.equal(getBuild(w.db, built)!.keep, 1);
  assert.equal((await send('POST', '/jobset/mine/main/trigger', { cookie: member })).status, 200);
  assert.ok(getJobset(w.db, 'mine', 'main')!.triggertime);
});

test('cross-origin POSTs are refused even with a valid session', async () => {
  const before = commands().length;
  const foreign = await send('POST', `/build/${built}/restart`, { cookie: admin, origin: 'http://evil.example' });
  assert.equal(foreign.status, 403);
  const byReferer = await send('POST', `/build/${built}/restart`, {
    cookie: admin,
    origin: null,
    referer: 'http://evil.example/page',
  });
  assert.equal(byReferer.status, 403);
  const nullOrigin = await send('POST', `/build/${built}/restart`, { cookie: admin, origin: 'null' });
  assert.equal(nullOrigin.status, 403);
  assert.equal(commands().length, before);
});

test("a form POST with the session's CSRF token redirects back to the page", async () => {
  const page = await fetch(`${w.url}/build/${built}`, { headers: { Cookie: admin } });
  const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  const r = await send('POST', `/build/${built}/restart`, { cookie: admin, origin: null, form: { _csrf: token } });
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), `/build/${built}`);
  assert.equal(commands().at(-1)!.username, 'root');
});

test('/api/push triggers jobsets by name or by repository URL; anonymous pushes are refused', async () => {
  clearTriggers(w.db);
  assert.equal((await send('POST', '/api/push?jobsets=mine:main')).status, 401);
  assert.equal(getJobset(w.db, 'mine', 'main')!.triggertime, null);
  const byName = await send('POST', '/api/push?jobsets=mine:main', { cookie: member });
  assert.deepEqual(await byName.json(), { jobsetsTriggered: ['mine:main'] });
  clearTriggers(w.db);
  const byRepo = await send('PUT', `/api/push?repos=${encodeURIComponent('https://git.example/mine.git')}`, {
    cookie: admin,
  });
  assert.deepEqual(await byRepo.json(), { jobsetsTriggered: ['mine:main'] });
  assert.ok(getJobset(w.db, 'mine', 'main')!.triggertime);
  assert.equal((await send('POST', '/api/push?jobsets=nocolon', { cookie: admin })).status, 400);
  assert.equal((await send('POST', '/api/push?jobsets=other:main', { cookie: member })).status, 403);
});

test('PUT and DELETE create, update and delete projects and jobsets', async () => {
  const created = await send('PUT', '/project/fresh', {
    cookie: admin,
    json: { displayname: 'Fresh', enabled: true, visible: true },
  });
  assert.equal(created.status, 201);
  assert.deepEqual(await created.json(), {
    uri: '/project/fresh',
    name: 'fresh',
    redirect: '/project/fresh',
    type: 'project',
  });
  assert.equal(getProject(w.db, 'fresh')!.owner, 'root');
  const updated = await send('PUT', '/project/fresh', { cookie: admin, json: { displayname: 'Fresher' } });
  assert.equal(updated.status, 200);
  assert.equal(getProject(w.db, 'fresh')!.displayname, 'Fresher');
  const js = await send('PUT', '/jobset/fresh/trunk', {
    cookie: admin,
    json: {
      nixexprinput: 'src',
      nixexprpath: 'release.nix',
      checkinterval: 60,
      inputs: { src: { type: 'git', value: 'https://git.example/x.git main' } },
    },
  });
  assert.equal(js.status, 201);
  assert.equal(getJobset(w.db, 'fresh', 'trunk')!.checkinterval, 60);
  assert.equal((await send('DELETE', '/jobset/fresh/trunk', { cookie: admin })).status, 200);
  assert.equal(getJobset(w.db, 'fresh', 'trunk'), undefined);
  assert.equal((await send('DELETE', '/project/fresh', { cookie: admin })).status, 200);
  assert.equal(getProject(w.db, 'fresh'), undefined);
});

test('bad edits are refused with a clear message and change nothing', async () => {
  const badName = await send('PUT', '/project/bad%20name', { cookie: admin, json: {} });
  assert.equal(badName.status, 400);
  assert.match(((await badName.json()) as { error: string }).error, /invalid project name/);
  const badType = await send('PUT', '/jobset/mine/main', {
    cookie: admin,
    json: { nixexprinput: 'src', nixexprpath: 'x.nix', inputs: { src: { type: 'ftp', value: 'x' } } },
  });
  assert.equal(badType.status, 400);
  assert.match(((await badType.json()) as { error: string }).error, /"type" must be one of/);
  assert.equal(getJobset(w.db, 'mine', 'main')!.nixexprpath, 'release.nix', 'the jobset is unchanged');
  const badBool = await send('PUT', '/project/mine', { cookie: admin, json: { enabled: 'perhaps' } });
  assert.equal(badBool.status, 400);
  const badJson = await fetch(`${w.url}/project/mine`, {
    method: 'PUT',
    headers: { Cookie: admin, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: '{nope',
  });
  assert.equal(badJson.status, 400);
  assert.equal(getProject(w.db, 'mine')!.enabled, 1);
});

test('members may not create or delete projects; anonymous may not edit', async () => {
  assert.equal((await send('PUT', '/project/sneaky', { cookie: member, json: {} })).status, 403);
  assert.equal((await send('DELETE', '/project/mine', { cookie: member })).status, 403);
  assert.equal(
    (
      await send('PUT', '/jobset/mine/new', {
        json: { nixexprinput: 'src', nixexprpath: 'x.nix', inputs: { src: { type: 'git', value: 'x' } } },
      })
    ).status,
    401,
  );
  assert.ok(getProject(w.db, 'mine'));
});

test('private projects are invisible to anonymous users and to non-members', async () => {
  setProjectPrivate(w.db, 'mine', true);
  try {
    assert.equal((await fetch(`${w.url}/project/mine`)).status, 404);
    assert.equal((await fetch(`${w.url}/build/${built}`)).status, 404);
    assert.doesNotMatch(await (await fetch(`${w.url}/`)).text(), /\/project\/mine"/);
    assert.equal((await fetch(`${w.url}/project/mine`, { headers: { Cookie: member } })).status, 200);
  } finally {
    setProjectPrivate(w.db, 'mine', false);
  }
});

test('logout ends the session', async () => {
  const cookie = await login(w.url, 'mem', 'member pass');
  assert.equal((await send('POST', '/logout', { cookie })).status, 200);
  assert.equal((await send('POST', `/build/${built}/restart`, { cookie })).status, 401);
});

test('the evaluation page offers its actions to members only, each when there is something to act on', async () => {
  const page = async (cookie?: string) =>
    (await fetch(`${w.url}/eval/${evalId}`, { headers: cookie ? { Cookie: cookie } : {} })).text();
  const forMember = await page(member);
  for (const label of [
    'Restart all failed builds',
    'Cancel all scheduled builds',
    'Bump builds to the front of the queue',
  ])
    assert.match(forMember, new RegExp(label));
  assert.doesNotMatch(forMember, /Restart all aborted builds/, 'nothing was aborted');
  assert.doesNotMatch(await page(), /Cancel all scheduled builds|Restart all failed builds/);
});
