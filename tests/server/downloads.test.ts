// Build products are served from inside the product only, sandboxed.
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { get } from '../helpers/http.ts';
import { addEval, addJobset, addProject, runStep, startWebFixture, type WebFixture } from '../helpers/web-fixture.ts';
import { tempDir } from '../helpers/temp.ts';

const dir = tempDir();
let w: WebFixture;
let build: number;

before(async () => {
  w = await startWebFixture();
  addProject(w.db, 'dl');
  const { buildIds } = addEval(w.db, addJobset(w.db, 'dl', 'main'), [{ name: 'report' }]);
  build = buildIds['report']!;
  const out = join(dir, 'out');
  mkdirSync(join(out, 'coverage', 'sub'), { recursive: true });
  writeFileSync(join(out, 'coverage', 'index.html'), '<h1>coverage</h1><script>document.cookie</script>');
  writeFileSync(join(out, 'coverage', 'sub', 'page.txt'), 'inner page');
  writeFileSync(join(out, 'greeting.txt'), 'hello');
  writeFileSync(join(dir, 'secret.txt'), 'outside the product');
  symlinkSync(join(dir, 'secret.txt'), join(out, 'coverage', 'escape.txt'));
  const product = (nr: number, path: string, type = 'doc') => ({ type: 'report', subtype: type, path, name: `p${nr}`, defaultpath: null, filesize: null, sha256hash: null });
  runStep(w.db, w.stateDir, build, { log: 'ok\n', products: [product(1, join(out, 'greeting.txt')), product(2, join(out, 'coverage'))] });
});
after(() => w.stop());

test('a file product downloads with a sandboxing CSP', async () => {
  const r = await get(`${w.url}/build/${build}/download/1`);
  assert.equal(r.status, 200);
  assert.equal(r.text, 'hello');
  assert.equal(r.headers.get('content-security-policy'), 'sandbox');
});

test('a directory product serves index.html and files below it', async () => {
  const index = await get(`${w.url}/build/${build}/download/2/`);
  assert.equal(index.status, 200);
  assert.match(index.text, /coverage/);
  assert.match(index.headers.get('content-type') ?? '', /text\/html/);
  assert.equal(index.headers.get('content-security-policy'), 'sandbox', 'a report cannot run script as this site');
  assert.equal((await get(`${w.url}/build/${build}/download/2/sub/page.txt`)).text, 'inner page');
});

test('the latest redirect reaches a product through appended segments', async () => {
  const r = await get(`${w.url}/job/dl/main/report/latest/download/2/sub/page.txt`);
  assert.equal(r.headers.get('location'), `/build/${build}/download/2/sub/page.txt`);
});

test('traversal attempts are refused: .., encoded .., encoded slashes, symlinks out, missing products', async () => {
  for (const path of ['2/../greeting.txt', '2/%2e%2e/greeting.txt', '2/sub%2F..%2F..%2Fgreeting.txt', '2/..%2f..%2fsecret.txt',
    '2/escape.txt', '2/%2e%2e/%2e%2e/secret.txt', '2/nothing.txt', '3', '1/extra', '2/sub/%00']) {
    const r = await get(`${w.url}/build/${build}/download/${path}`);
    assert.equal(r.status, 404, `${path} → ${r.status}`);
    assert.doesNotMatch(r.text, /outside the product/);
  }
});
