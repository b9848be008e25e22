// Bad input in jobset specs gets a clear error, on the log and on the jobset page, and
// never stops the other jobsets.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { getJobset } from '../../core/db/jobsets.ts';
import { getProject } from '../../core/db/projects.ts';
import { createEvaluator } from '../../evaluator/index.ts';
import { createWebServer, type WebServer } from '../../server/index.ts';
import { get } from '../helpers/http.ts';
import { inProcess } from '../helpers/roles.ts';
import { tempDir } from '../helpers/temp.ts';

const dir = tempDir();
const jobsets = join(dir, 'jobsets');
const { config, db, log } = inProcess(join(dir, 'state'), ['--jobsets', jobsets]);
let server: WebServer;

const spec = (inputs: object, extra: object = {}) => ({
  nixexprinput: 'src',
  nixexprpath: 'release.nix',
  checkinterval: 0,
  inputs,
  ...extra,
});

before(async () => {
  mkdirSync(join(jobsets, 'good-src'), { recursive: true });
  writeFileSync(
    join(jobsets, 'good-src', 'release.nix'),
    `{ x = derivation { name = "x-${Date.now()}"; system = builtins.currentSystem; ` +
      `builder = "/bin/sh"; args = ["-c" "echo > $out"]; }; }`,
  );
  writeFileSync(
    join(jobsets, 'mixed.json'),
    JSON.stringify({
      displayname: 'Mixed',
      jobsets: {
        good: spec({ src: { type: 'path', value: './good-src' } }, { checkinterval: 1 }),
        typo: spec({ src: { type: 'path', value: './good-src' } }, { nixexprpaht: 'release.nix' }),
        norepo: spec({ src: { type: 'git', value: join(dir, 'no-such-repo') } }, { checkinterval: 1 }),
      },
    }),
  );
  writeFileSync(join(jobsets, 'broken.json'), '{ "displayname": "Broken", ');
  await createEvaluator(config, { log, db }).runOnce();
  server = createWebServer(config, { log, db });
  await server.start();
});

after(async () => {
  await server?.stop();
});

test('an unknown key names the file, the jobset and the key, and the jobset is not evaluated', async () => {
  const typo = getJobset(db, 'mixed', 'typo')!;
  assert.match(typo.spec_error!, /mixed\.json/);
  assert.match(typo.spec_error!, /jobset "typo"/);
  assert.match(typo.spec_error!, /unknown key "nixexprpaht"/);
  const page = await get(`${server.url()}/jobset/mixed/typo`);
  assert.equal(page.status, 200);
  assert.match(page.text, /unknown key &quot;nixexprpaht&quot;/);
});

test('a missing repository is reported on the jobset and its page', async () => {
  const norepo = getJobset(db, 'mixed', 'norepo')!;
  assert.match(norepo.errormsg!, /no-such-repo/);
  const page = await get(`${server.url()}/jobset/mixed/norepo`);
  assert.match(page.text, /Evaluation error/);
  assert.match(page.text, /no-such-repo/);
});

test('the good jobset beside them is evaluated', async () => {
  const good = getJobset(db, 'mixed', 'good')!;
  assert.equal(good.errormsg, null);
  assert.ok(good.lastinputshash, 'evaluated');
  const page = await get(`${server.url()}/jobset/mixed/good`);
  assert.match(page.text, /href="\/eval\/\d+"/);
});

test('a spec file that is not JSON is reported on its project and the home page', async () => {
  assert.match(getProject(db, 'broken')!.spec_error!, /broken\.json: not valid JSON/);
  const home = await get(`${server.url()}/`);
  assert.match(home.text, /broken\.json: not valid JSON/);
});
