// A build with thousands of products: its page lists them 100 at a time with a pager, and
// the JSON API still lists them all (Hydra's shape).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { get } from '../helpers/http.ts';
import { addEval, addJobset, addProject, runStep, startWebFixture, type WebFixture } from '../helpers/web-fixture.ts';

let w: WebFixture;
let build: number;

before(async () => {
  w = await startWebFixture();
  addProject(w.db, 'many');
  build = addEval(w.db, addJobset(w.db, 'many', 'main'), [{ name: 'many' }]).buildIds['many']!;
  const products = Array.from({ length: 2500 }, (_, i) => ({
    type: 'file',
    subtype: 'doc',
    path: `/nix/store/x-many/f${i + 1}`,
    name: `file-${i + 1}.txt`,
    defaultpath: null,
    filesize: i,
    sha256hash: null,
  }));
  runStep(w.db, w.stateDir, build, { log: 'ok\n', products });
});
after(() => w.stop());

const shown = (html: string) => [...html.matchAll(/>file-(\d+)\.txt</g)].map((m) => Number(m[1]));

test('the build page shows products 100 at a time, with a pager', async () => {
  const first = await get(`${w.url}/build/${build}`);
  assert.equal(first.status, 200);
  assert.deepEqual(
    shown(first.text),
    Array.from({ length: 100 }, (_, i) => i + 1),
  );
  assert.match(first.text, /page 1 of 25 \(2500\)/);
  assert.match(first.text, /href="\?page&#x3D;2" rel="next"/);
  const last = await get(`${w.url}/build/${build}?page=25`);
  assert.deepEqual(
    shown(last.text),
    Array.from({ length: 100 }, (_, i) => 2401 + i),
  );
  assert.match(last.text, /page 25 of 25/);
});

test('the JSON API lists every product', async () => {
  const json = (await get(`${w.url}/build/${build}`, { json: true })).json() as {
    buildproducts: Record<string, unknown>;
  };
  assert.equal(Object.keys(json.buildproducts).length, 2500);
});
