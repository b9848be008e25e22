// Values from outside (job names, log lines, descriptions, eval errors, input values) come
// out of every page inert: no element, attribute or script a hostile commit could inject.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { get } from '../helpers/http.ts';
import { addEval, addJobset, addProject, runStep, startWebFixture, type WebFixture } from '../helpers/web-fixture.ts';

const HOSTILE = `<script>alert(1)</script><img src=x onerror=alert(2)>"'&`;
let w: WebFixture;
let ids: Record<string, number>;
let evalId: number;

before(async () => {
  w = await startWebFixture();
  addProject(w.db, 'evil', { displayname: HOSTILE, description: HOSTILE });
  const js = addJobset(w.db, 'evil', 'main', `https://example.invalid/${HOSTILE}`);
  ({ evalId, buildIds: ids } = addEval(
    w.db,
    js,
    [{ name: HOSTILE }, { name: 'ok' }],
    [{ name: HOSTILE, error: HOSTILE }],
  ));
  runStep(w.db, w.stateDir, ids[HOSTILE]!, { log: `${HOSTILE}\nsecond ${HOSTILE}\n`, status: 1 });
  runStep(w.db, w.stateDir, ids['ok']!, { log: 'still running\n', finish: false });
});
after(() => w.stop());

function assertInert(page: string, where: string) {
  assert.doesNotMatch(page, /<script>alert/, `${where}: a script element got through`);
  assert.doesNotMatch(page, /<img src=x/, `${where}: an img element got through`);
  assert.doesNotMatch(page, /onerror=alert\(2\)>"'/, `${where}: raw attribute text got through`);
}

test('hostile strings come out escaped on every page that shows them', async () => {
  const enc = encodeURIComponent(HOSTILE);
  const pages = [
    '/',
    '/project/evil',
    '/jobset/evil/main',
    `/eval/${evalId}`,
    `/eval/${evalId}/errors`,
    `/build/${ids[HOSTILE]}`,
    `/build/${ids[HOSTILE]}/log`,
    `/job/evil/main/${enc}`,
    '/queue',
    '/status',
    `/search?query=${encodeURIComponent('evil')}`,
  ];
  for (const path of pages) {
    const r = await get(w.url + path);
    assert.equal(r.status, 200, `${path}: ${r.text.slice(0, 200)}`);
    assertInert(r.text, path);
  }
  // As Hydra's Root.pm search, a query outside [A-Za-z0-9_-/.] is refused; the refusal is inert too.
  const search = await get(`${w.url}/search?query=${enc}`);
  assert.equal(search.status, 400);
  assertInert(search.text, '/search');
  const log = await get(`${w.url}/build/${ids[HOSTILE]}/log`);
  assert.match(log.text, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/, 'the log line is shown, escaped');
  const project = await get(`${w.url}/project/evil`);
  assert.match(project.text, /&lt;img src&#x3D;x onerror&#x3D;alert\(2\)&gt;&quot;&#x27;&amp;/);
});

test('a hostile job name in a URL stays one path segment', async () => {
  const page = (await get(`${w.url}/jobset/evil/main`)).text;
  assert.ok(
    page.includes(`href="/job/evil/main/${encodeURIComponent(HOSTILE).replace(/'/g, '&#x27;')}"`),
    'the link encodes the name',
  );
});

test('raw logs are plain text and 404 messages are escaped', async () => {
  const raw = await get(`${w.url}/build/${ids[HOSTILE]}/log/raw`);
  assert.match(raw.headers.get('content-type') ?? '', /^text\/plain/);
  assert.equal(raw.headers.get('x-content-type-options'), 'nosniff');
  const missing = await get(`${w.url}/project/${encodeURIComponent(HOSTILE)}`);
  assert.equal(missing.status, 404);
  assertInert(missing.text, '404 page');
});
