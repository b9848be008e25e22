// The coverage and screenshot pages of a private project are "not found" to anonymous
// visitors (HTML and JSON), as every other page of it, and visible to its owner.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readBuildCoverage } from '../../core/coverage/build-coverage.ts';
import { recordCoverage } from '../../core/db/coverage.ts';
import { recordScreenshots } from '../../core/db/screenshots.ts';
import { get } from '../helpers/http.ts';
import { tempDir } from '../helpers/temp.ts';
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
import { setProjectPrivate } from '../helpers/db.ts';

let w: WebFixture;
let build: number;
let evalId: number;
const dir = tempDir();

before(async () => {
  w = await startWebFixture();
  addProject(w.db, 'secret', { owner: 'ada' });
  setProjectPrivate(w.db, 'secret', true);
  const e = addEval(w.db, addJobset(w.db, 'secret', 'main'), [{ name: 'report' }]);
  evalId = e.evalId;
  build = e.buildIds['report']!;
  runStep(w.db, w.stateDir, build, { log: 'ok\n' });
  const info = join(dir, 'a.info');
  writeFileSync(info, 'SF:/nix/store/0123456789abcdfghijklmnpqrsvwxyz-src/src/a.c\nDA:1,1\nDA:2,0\nend_of_record\n');
  recordCoverage(w.db, build, (await readBuildCoverage([{ type: 'file', subtype: 'lcov', path: info }], []))!);
  recordScreenshots(w.db, build, [
    {
      productnr: 1,
      file: '',
      name: 's.png',
      width: 1,
      height: 1,
      error: null,
      previousBuildId: build,
      previousProductnr: 1,
      previousFile: '',
      changedPixels: 0,
      totalPixels: 1,
      diffPng: Buffer.from('png'),
    },
  ]);
  await addUser(w.db, 'ada', 'lovelace-1815');
});
after(() => w.stop());

const urls = () => [
  `/build/${build}/coverage`,
  `/build/${build}/coverage/src/a.c`,
  `/eval/${evalId}/coverage`,
  '/job/secret/main/report/coverage',
  '/job/secret/main/report/screenshots',
  `/build/${build}/screenshot-diff/1`,
];

test('anonymous visitors get 404 from every coverage and screenshot URL of a private project', async () => {
  for (const url of urls()) {
    for (const json of [false, true]) {
      const r = await get(`${w.url}${url}`, { json });
      assert.equal(r.status, 404, `${url} (${json ? 'JSON' : 'HTML'})`);
      assert.doesNotMatch(r.text, /src\/a\.c|50\.0/);
    }
  }
});

test('the owner sees them', async () => {
  const cookie = await login(w.url, 'ada', 'lovelace-1815');
  for (const url of urls()) {
    const r = await fetch(`${w.url}${url}`, { headers: { cookie } });
    assert.equal(r.status, 200, url);
  }
});
