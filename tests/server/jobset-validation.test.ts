// One way into a jobset: PUT /jobset/P/J and the web form are checked by the spec files'
// validator (nixexprpath inside its input, an expression input that exists and holds an
// expression, path inputs only under --allowed-paths and never the state directory), and
// what a spec file declares is read-only on the web.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { getJobset, jobsetInputs, upsertJobsetFromSpec } from '../../core/db/jobsets.ts';
import { getProject, upsertProject } from '../../core/db/projects.ts';
import { BUNDLED_JOBSETS_DIR } from '../../core/paths.ts';
import { addProject, addUser, login, startWebFixture, type WebFixture } from '../helpers/web-fixture.ts';

let w: WebFixture;
let admin: string;
before(async () => {
  w = await startWebFixture();
  addProject(w.db, 'web');
  upsertProject(w.db, {
    name: 'declared',
    displayname: 'D',
    description: '',
    homepage: '',
    enabled: true,
    hidden: false,
    owner: '',
    spec_source: '/srv/jobsets/declared.json',
  });
  upsertJobsetFromSpec(
    w.db,
    'declared',
    {
      name: 'trunk',
      enabled: 1,
      hidden: false,
      description: 'from the file',
      nixexprinput: 'src',
      nixexprpath: 'release.nix',
      checkinterval: 300,
      schedulingshares: 100,
      enableemail: false,
      emailoverride: '',
      keepnr: 3,
      inputs: [{ name: 'src', type: 'git', value: 'https://x.invalid/r.git', emailresponsible: false }],
    },
    '/srv/jobsets/declared.json',
  );
  await addUser(w.db, 'root', 'root password', ['admin']);
  admin = await login(w.url, 'root', 'root password');
});
after(() => w.stop());

const put = (path: string, body: string) =>
  fetch(w.url + path, {
    method: 'PUT',
    body,
    headers: { Cookie: admin, Origin: w.url, 'Content-Type': 'application/json', Accept: 'application/json' },
  });
const jobset = (extra: Record<string, unknown>) =>
  JSON.stringify({
    nixexprinput: 'src',
    nixexprpath: 'release.nix',
    inputs: { src: { type: 'git', value: 'https://x.invalid/r.git' } },
    ...extra,
  });
const errorOf = async (r: Response) => ((await r.json()) as { error: string }).error;
const form = (path: string, fields: Record<string, string>) =>
  fetch(w.url + path, {
    method: 'POST',
    redirect: 'manual',
    headers: { Cookie: admin, Origin: w.url, 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'text/html' },
    body: new URLSearchParams(fields).toString(),
  });

test('nixexprpath cannot leave its input, through PUT or the form', async () => {
  for (const nixexprpath of ['../../etc/passwd', '/etc/passwd', 'a/../../b.nix', 'x\\..\\y']) {
    const r = await put('/jobset/web/bad', jobset({ nixexprpath }));
    assert.equal(r.status, 400, nixexprpath);
    assert.match(await errorOf(r), /"nixexprpath" must be a relative path inside the input/);
  }
  const r = await form('/project/web/create-jobset', {
    name: 'bad',
    nixexprinput: 'src',
    nixexprpath: '../x.nix',
    inputs: 'src git https://x.invalid/r.git',
  });
  assert.equal(r.status, 400);
  assert.match(await r.text(), /&quot;nixexprpath&quot; must be a relative path inside the input/);
  assert.equal(getJobset(w.db, 'web', 'bad'), undefined, 'nothing was written');
});

test('the expression input must exist and be of a type that holds a Nix expression', async () => {
  assert.match(
    await errorOf(await put('/jobset/web/bad', jobset({ nixexprinput: 'nope' }))),
    /"nixexprinput" names "nope", which is not one of its inputs/,
  );
  const r = await put(
    '/jobset/web/bad',
    jobset({ nixexprinput: 'cfg', inputs: { cfg: { type: 'string', value: 'import /etc/x' } } }),
  );
  assert.equal(r.status, 400);
  assert.match(await errorOf(r), /"nixexprinput" must be a git or path input, "cfg" is string/);
});

test(`path inputs only under the allowed directories (by default the jobsets directory), \
never the state directory`, async () => {
  for (const value of ['/etc', '/', w.stateDir, join(w.stateDir, 'git'), join(w.stateDir, '..'), 'relative/dir']) {
    const r = await put(
      '/jobset/web/paths',
      jobset({ inputs: { src: { type: 'git', value: 'https://x.invalid/r.git' }, data: { type: 'path', value } } }),
    );
    assert.equal(r.status, 400, value);
    assert.match(
      await errorOf(r),
      new RegExp(
        /input "data": path .* /.source +
          /(must be absolute|is or holds hydrant's state directory|is not under a directory allowed for path inputs)/
            .source,
      ),
      value,
    );
  }
  const ok = await put(
    '/jobset/web/paths',
    jobset({ nixexprinput: 'data', inputs: { data: { type: 'path', value: join(BUNDLED_JOBSETS_DIR, 'examples') } } }),
  );
  assert.equal(ok.status, 201, await ok.clone().text());
  assert.deepEqual(
    jobsetInputs(w.db, getJobset(w.db, 'web', 'paths')!.id).map((i) => i.value),
    [join(BUNDLED_JOBSETS_DIR, 'examples')],
  );
});

test('a jobset or project declared by a spec file is read-only on the web (403)', async () => {
  const before = getJobset(w.db, 'declared', 'trunk')!;
  const responses = [
    await put('/jobset/declared/trunk', jobset({ description: 'from the web' })),
    await fetch(`${w.url}/jobset/declared/trunk`, {
      method: 'DELETE',
      headers: { Cookie: admin, Origin: w.url, Accept: 'application/json' },
    }),
    await fetch(`${w.url}/jobset/declared/trunk/edit`, { headers: { Cookie: admin } }),
    await form('/jobset/declared/trunk/edit', {
      nixexprinput: 'src',
      nixexprpath: 'release.nix',
      inputs: 'src git https://x.invalid/r.git',
    }),
    await form('/jobset/declared/trunk/delete', {}),
    await put('/project/declared', JSON.stringify({ displayname: 'from the web' })),
    await fetch(`${w.url}/project/declared`, {
      method: 'DELETE',
      headers: { Cookie: admin, Origin: w.url, Accept: 'application/json' },
    }),
    await fetch(`${w.url}/project/declared/edit`, { headers: { Cookie: admin } }),
  ];
  assert.deepEqual(
    responses.map((r) => r.status),
    responses.map(() => 403),
  );
  assert.match(await responses[0]!.text(), /declared in declared\.json; change it there/);
  assert.deepEqual(getJobset(w.db, 'declared', 'trunk'), before);
  assert.equal(getProject(w.db, 'declared')!.displayname, 'D');
  assert.doesNotMatch(
    await (await fetch(`${w.url}/jobset/declared/trunk`, { headers: { Cookie: admin } })).text(),
    /\/jobset\/declared\/trunk\/edit/,
    'no edit link',
  );
});

test('a PUT whose body is not a JSON object answers 400', async () => {
  for (const body of ['[]', '"text"', '42', 'null', '{not json']) {
    assert.equal((await put('/jobset/web/x', body)).status, 400, body);
    assert.equal((await put('/project/newone', body)).status, 400, body);
  }
  assert.equal(getProject(w.db, 'newone'), undefined);
});
