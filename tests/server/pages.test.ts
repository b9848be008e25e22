// Every page and its JSON, on a real server over a real database.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openDatabase } from '../../core/db/database.ts';
import { BuildStatus } from '../../core/model/status.ts';
import { commitUnreadWrite, finishStepAndBuild, plainResult, setBuildCached } from '../helpers/db.ts';
import { get } from '../helpers/http.ts';
import { addEval, addJobset, addProject, runStep, startWebFixture, type WebFixture } from '../helpers/web-fixture.ts';
import { syncMachines } from '../../core/db/machines.ts';

let w: WebFixture;
let eval1: { evalId: number; buildIds: Record<string, number> };
let eval2: { evalId: number; buildIds: Record<string, number> };

before(async () => {
  w = await startWebFixture();
  addProject(w.db, 'demo', { displayname: 'Demo', description: 'the demo project' });
  const js = addJobset(w.db, 'demo', 'main');
  eval1 = addEval(
    w.db,
    js,
    [{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'tests.nested' }],
    [{ name: 'broken', error: 'attribute missing' }],
  );
  runStep(w.db, w.stateDir, eval1.buildIds['a']!, { log: 'building a\ndone\n' });
  runStep(w.db, w.stateDir, eval1.buildIds['b']!, { log: 'building b\nerror: it broke\n', status: 1 });
  // Evaluation 2: a changes and fails, b changes and succeeds, c is gone, d is new.
  eval2 = addEval(w.db, js, [
    { name: 'a', drv: 'a2' },
    { name: 'b', drv: 'b2' },
    { name: 'd' },
    { name: 'tests.nested' },
  ]);
  runStep(w.db, w.stateDir, eval2.buildIds['a']!, { log: 'a fails now\n', status: 1 });
  runStep(w.db, w.stateDir, eval2.buildIds['b']!, { log: 'b works now\n' });
  runStep(w.db, w.stateDir, eval2.buildIds['d']!, { log: 'd is running\n', finish: false });
});
after(() => w.stop());

/** A page's JSON; pages that also answer HTML must say that they vary by Accept. */
const json = async (path: string, opts: { jsonOnly?: boolean } = {}) => {
  const r = await get(w.url + path, { json: true });
  assert.equal(r.status, 200, `${path}: ${r.text}`);
  if (!opts.jsonOnly) assert.match(r.headers.get('vary') ?? '', /Accept/);
  return r.json() as Record<string, unknown>;
};
const html = async (path: string) => {
  const r = await get(w.url + path);
  assert.equal(r.status, 200, `${path}: ${r.text.slice(0, 300)}`);
  assert.match(r.headers.get('content-type') ?? '', /text\/html/);
  return r.text;
};

test("/ lists projects in Hydra's shape", async () => {
  const projects = (await json('/')) as unknown as Record<string, unknown>[];
  assert.deepEqual(
    projects.map((p) => [p.name, p.displayname, p.enabled, p.hidden, p.jobsets]),
    [['demo', 'Demo', true, false, ['main']]],
  );
  assert.match(await html('/'), /href="\/project\/demo"/);
});

test('/project/P answers the project and its jobsets', async () => {
  const p = await json('/project/demo');
  assert.equal(p.description, 'the demo project');
  assert.deepEqual(p.jobsets, ['main']);
  assert.match(await html('/project/demo'), /href="\/jobset\/demo\/main"/);
});

test('/jobset/P/J shows evaluations and the jobs × evaluations matrix', async () => {
  const j = await json('/jobset/demo/main');
  assert.equal(j.nixexprinput, 'src');
  assert.equal(j.visible, true);
  assert.deepEqual(Object.keys(j.inputs as object), ['src']);
  const page = await html('/jobset/demo/main');
  assert.match(page, new RegExp(`href="/eval/${eval2.evalId}"`));
  assert.match(page, new RegExp(`href="/build/${eval2.buildIds['a']}" title="Failed`), 'matrix cell of a in eval 2');
  assert.match(page, new RegExp(`href="/build/${eval1.buildIds['c']}" title="Queued`), 'matrix cell of c in eval 1');
  assert.match(
    page,
    new RegExp(`class="cell running" href="/build/${eval2.buildIds['d']}" title="Running`),
    'a build with a busy step is running',
  );
  assert.match(page, /href="\/job\/demo\/main\/tests.nested"/);
});

test("/jobset/P/J/evals is paginated in Hydra's shape", async () => {
  const all = await json('/jobset/demo/main/evals');
  assert.deepEqual(
    (all.evals as { id: number }[]).map((e) => e.id),
    [eval2.evalId, eval1.evalId],
  );
  assert.equal(all.first, '?page=1');
  const one = await json('/jobset/demo/main/evals?rows=1');
  assert.equal((one.evals as unknown[]).length, 1);
  assert.equal(one.next, '?rows=1&page=2');
  assert.equal(one.last, '?rows=1&page=2');
  assert.match(await html('/jobset/demo/main/evals?rows=1&page=2'), new RegExp(`href="/eval/${eval1.evalId}"`));
});

test('/eval/N shows builds by status and what changed since the previous evaluation', async () => {
  const e = await json(`/eval/${eval2.evalId}`);
  assert.equal((e.builds as number[]).length, 4);
  assert.equal(e.hasnewbuilds, 1);
  assert.equal((e.jobsetevalinputs as Record<string, { revision: string }>)['src']!.revision, 'abc123');
  const page = await html(`/eval/${eval2.evalId}`);
  const section = (title: string) => new RegExp(`${title} \\((\\d+)\\)</h3><ul>(.*?)</ul>`).exec(page);
  assert.match(section('Newly failing')![2]!, />a</);
  assert.match(section('Newly succeeding')![2]!, />b</);
  assert.match(section('New jobs')![2]!, />d</);
  assert.match(section('Removed jobs')![2]!, />c</);
  const failed = (await html(`/eval/${eval2.evalId}?group=failed`)).split('<table class="builds">')[1]!;
  assert.match(failed, new RegExp(`href="/build/${eval2.buildIds['a']}"`));
  assert.doesNotMatch(failed, new RegExp(`href="/build/${eval2.buildIds['b']}"`));
  const compared = await html(`/eval/${eval2.evalId}?compare=${eval2.evalId}`);
  assert.match(compared, /Newly failing \(0\)/, 'an evaluation compared with itself has no changes');
  assert.equal((await get(`${w.url}/eval/${eval2.evalId}?compare=999999`)).status, 404);
});

test('/eval/N/errors lists the jobs that failed to evaluate', async () => {
  assert.match(await html(`/eval/${eval1.evalId}/errors`), /broken.*attribute missing/s);
  assert.deepEqual((await json(`/eval/${eval1.evalId}/errors`)).errors, { broken: 'attribute missing' });
});

test("/eval/N/builds streams every build in Hydra's Build shape", async () => {
  const builds = (await json(`/eval/${eval1.evalId}/builds`)) as unknown as {
    id: number;
    job: string;
    finished: number;
    buildstatus: number | null;
    jobsetevals: number[];
    buildoutputs: Record<string, { path: string }>;
    buildmetrics: Record<string, { value: number }>;
  }[];
  assert.deepEqual(builds.map((b) => b.job).sort(), ['a', 'b', 'c', 'tests.nested']);
  const a = builds.find((b) => b.job === 'a')!;
  assert.equal(a.finished, 1);
  assert.equal(a.buildstatus, 0);
  assert.deepEqual(a.jobsetevals, [eval1.evalId]);
  assert.match(a.buildoutputs['out']!.path, /^\/nix\/store\//);
  assert.equal(a.buildmetrics['tests.count']!.value, 42);
  const nested = builds.find((b) => b.job === 'tests.nested')!;
  assert.deepEqual(nested.jobsetevals, [eval1.evalId, eval2.evalId], 'a reused build belongs to both evaluations');
  assert.equal(builds.find((b) => b.job === 'c')!.buildstatus, null);
});

test('/build/N shows status, steps and why it failed, with the log tail', async () => {
  const b = await json(`/build/${eval1.buildIds['b']}`);
  assert.equal(b.buildstatus, 1);
  assert.equal(b.job, 'b');
  assert.equal(b.project, 'demo');
  const page = await html(`/build/${eval1.buildIds['b']}`);
  assert.match(page, /Why it failed/);
  assert.match(page, /error: it broke/);
  assert.match(page, /builder failed with exit code 1/);
  assert.match(page, /localhost/);
});

test('/build/N/log, /log/raw and /log/tail', async () => {
  const id = eval1.buildIds['b'];
  const pretty = await html(`/build/${id}/log`);
  assert.match(pretty, /id="L2"><a class="ln" href="#L2">2<\/a>error: it broke/);
  assert.equal((await get(`${w.url}/build/${id}/log/raw`)).text, 'building b\nerror: it broke\n');
  const tail = await get(`${w.url}/build/${id}/log/tail?lines=1`);
  assert.equal(tail.text, 'error: it broke\n');
  assert.equal((await get(`${w.url}/build/${eval1.buildIds['c']}/log`)).status, 404, 'a queued build has no log yet');
});

test("Hydra's step-log URLs: /build/N/nixlog/STEP, /raw and /tail; the build page links to them", async () => {
  const id = eval1.buildIds['b']!;
  assert.match(await html(`/build/${id}/nixlog/1`), /error: it broke/);
  assert.equal((await get(`${w.url}/build/${id}/nixlog/1/raw`)).text, 'building b\nerror: it broke\n');
  assert.equal((await get(`${w.url}/build/${id}/nixlog/1/tail?lines=1`)).text, 'error: it broke\n');
  assert.equal((await get(`${w.url}/build/${id}/nixlog/99`)).status, 404);
  assert.match(await html(`/build/${id}`), new RegExp(`href="/build/${id}/nixlog/1"`));
});

test('/job/P/J/JOB shows history with a build-time chart; shield and badge', async () => {
  const page = await html('/job/demo/main/a');
  assert.match(page, /<svg class="chart"/);
  assert.match(page, new RegExp(`href="/build/${eval1.buildIds['a']}"`));
  assert.deepEqual((await json('/job/demo/main/a')).builds, [eval2.buildIds['a'], eval1.buildIds['a']]);
  const shield = await json('/job/demo/main/a/shield', { jsonOnly: true });
  assert.deepEqual(shield, { schemaVersion: 1, label: 'hydra build', message: 'failed', color: 'red' });
  assert.equal((await json('/job/demo/main/b/shield', { jsonOnly: true })).message, 'passing');
  const badge = await get(`${w.url}/job/demo/main/b/badge`);
  assert.match(badge.headers.get('content-type') ?? '', /image\/svg\+xml/);
  assert.match(badge.text, /passing/);
});

test('latest, latest-finished and latest-for redirect, appending extra segments', async () => {
  const a1 = eval1.buildIds['a'];
  const r = await get(`${w.url}/job/demo/main/a/latest`);
  assert.equal(r.status, 302);
  assert.equal(r.headers.get('location'), `/build/${a1}`, 'latest is the newest successful build');
  assert.equal(
    (await get(`${w.url}/job/demo/main/a/latest-for/x86_64-linux/log/raw`)).headers.get('location'),
    `/build/${a1}/log/raw`,
  );
  assert.equal((await get(`${w.url}/job/demo/main/a/latest-for/aarch64-linux`)).status, 404);
  // Both evaluations still have unfinished builds (c queued, d running): nothing qualifies yet.
  assert.equal((await get(`${w.url}/job/demo/main/a/latest-finished`)).status, 404);
});

test('/queue, /status, /machines and /metrics', async () => {
  const queue = (await json('/queue')) as unknown as { id: number }[];
  assert.ok(queue.some((b) => b.id === eval1.buildIds['c']));
  assert.match(await html('/queue'), /builds waiting/);
  const status = (await json('/status')) as unknown as { build: number }[];
  assert.deepEqual(
    status.map((s) => s.build),
    [eval2.buildIds['d']],
  );
  assert.match(await html('/status'), new RegExp(`href="/build/${eval2.buildIds['d']}"`));
  syncMachines(w.db, [
    {
      name: 'ssh://builder1',
      systems: ['x86_64-linux'],
      maxJobs: 4,
      speedFactor: 1,
      supportedFeatures: [],
      mandatoryFeatures: [],
    },
  ]);
  const machines = await json('/machines');
  assert.equal((machines['ssh://builder1'] as { maxjobs: number }).maxjobs, 4);
  assert.match(await html('/machines'), /ssh:\/\/builder1/);
  const metrics = await get(`${w.url}/metrics`);
  assert.match(metrics.text, /^hydrant_build_steps_running 1$/m);
  assert.match(metrics.text, /^# TYPE hydrant_builds_queued gauge$/m);
});

test("/api/jobsets and /search answer in Hydra's shapes", async () => {
  const overview = (await json('/api/jobsets?project=demo', { jsonOnly: true })) as unknown as {
    name: string;
    nrtotal: number;
    nrfailed: number;
  }[];
  assert.deepEqual(
    overview.map((j) => [j.name, j.nrtotal, j.nrfailed]),
    [['main', 4, 1]],
  );
  const found = await json('/search?query=demo');
  assert.deepEqual(
    (found.projects as { name: string }[]).map((p) => p.name),
    ['demo'],
  );
  assert.ok(Array.isArray(found.buildsdrv));
  const byJob = await json('/search?query=tests.');
  assert.deepEqual(
    (byJob.builds as { job: string }[]).map((b) => b.job),
    ['tests.nested'],
  );
  assert.equal((await get(`${w.url}/search?query=`, { json: true })).status, 400);
});

test('lists are paginated: ?page and ?rows', async () => {
  const page2 = await html(`/eval/${eval2.evalId}?rows=2&page=2`);
  assert.match(page2, /page 2 of 2 \(4\)/);
  assert.match(page2, /rel="prev"/);
});

test('unknown things are 404 pages without stack traces, in HTML and JSON', async () => {
  for (const path of [
    '/project/nope',
    '/jobset/demo/nope',
    '/eval/424242',
    '/build/424242',
    '/build/abc',
    '/nowhere',
  ]) {
    const r = await get(w.url + path);
    assert.equal(r.status, 404, path);
    assert.doesNotMatch(r.text, /at .*\.ts:\d+/);
    const j = await get(w.url + path, { json: true });
    assert.equal(j.status, 404);
    assert.match((j.json() as { error: string }).error, /Not found/);
  }
});

test('security headers on every answer', async () => {
  const r = await get(`${w.url}/`);
  assert.match(r.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(r.headers.get('x-frame-options'), 'DENY');
  assert.equal(r.headers.get('x-powered-by'), null);
});

test('cached answers follow the database: a build that finishes shows at once', async () => {
  const d = eval2.buildIds['d']!;
  const state = async () =>
    ((await json(`/eval/${eval2.evalId}/builds`)) as unknown as { id: number; finished: number }[]).find(
      (b) => b.id === d,
    )!.finished;
  const summary = async () => /(\d+) failed<\/span>/.exec(await html(`/eval/${eval2.evalId}`))![1];
  assert.equal(await state(), 0);
  assert.equal(await state(), 0, 'asked twice: the second answer comes from the cache');
  assert.equal(await summary(), '1');
  // Another connection writes, as the queue runner does in its own process.
  const other = openDatabase(w.db.name);
  try {
    finishStepAndBuild(
      other,
      d,
      { stepnr: 1, result: { status: 1, errormsg: null, outputs: {} } },
      plainResult(BuildStatus.Failed),
    );
  } finally {
    other.close();
  }
  assert.equal(await state(), 1);
  assert.equal(await summary(), '2');
});

test('/eval/N/builds is sent gzipped to clients that accept it, with the same content, kept or streamed', async () => {
  const ask = (encoding: string) =>
    fetch(`${w.url}/eval/${eval1.evalId}/builds`, {
      headers: { Accept: 'application/json', 'Accept-Encoding': encoding },
    });
  // Any write makes the kept answers stale, so the next one is streamed from the database.
  const invalidate = () => {
    const other = openDatabase(w.db.name);
    try {
      commitUnreadWrite(other);
    } finally {
      other.close();
    }
  };
  invalidate();
  const streamed = await ask('gzip');
  assert.equal(streamed.headers.get('content-encoding'), 'gzip', 'streamed from the database');
  const fromStream = JSON.parse(await streamed.text()) as unknown;
  const plain = await (await ask('identity')).text();
  assert.deepEqual(JSON.parse(plain), fromStream);
  const kept = await ask('gzip');
  assert.equal(kept.headers.get('content-encoding'), 'gzip', 'answered from memory');
  assert.match(kept.headers.get('vary') ?? '', /Accept-Encoding/);
  assert.deepEqual(JSON.parse(await kept.text()), fromStream);
  invalidate();
  const plainFirst = await ask('identity');
  assert.equal(plainFirst.headers.get('content-encoding'), null);
  assert.deepEqual(JSON.parse(await plainFirst.text()), fromStream);
  const zippedFromKept = await ask('gzip');
  assert.equal(zippedFromKept.headers.get('content-encoding'), 'gzip', 'the kept plain answer, compressed once');
  assert.deepEqual(JSON.parse(await zippedFromKept.text()), fromStream);
});

test('a cached failure says so on its build page; a cached success says its outputs existed', async () => {
  const failed = eval1.buildIds['b']!;
  const ok = eval1.buildIds['a']!;
  const mark = (id: number, cached: number) => setBuildCached(w.db, id, cached === 1);
  mark(failed, 1);
  mark(ok, 1);
  try {
    assert.match(await html(`/build/${failed}`), /a cached failure: this derivation failed before/);
    const page = await html(`/build/${ok}`);
    assert.match(page, /outputs already existed; nothing was built/);
    assert.doesNotMatch(page, /cached failure/);
  } finally {
    mark(failed, 0);
    mark(ok, 0);
  }
});

// Last: it adds a jobset, which the listings above would see.
test('latest-eval and /eval/N/job/JOB redirect as in Hydra, appending extra segments', async () => {
  // demo/main's evaluations both have unfinished builds; a jobset whose evaluation is done qualifies.
  assert.equal((await get(`${w.url}/jobset/demo/main/latest-eval`)).status, 404);
  const done = addEval(w.db, addJobset(w.db, 'demo', 'done'), [{ name: 'x' }]);
  runStep(w.db, w.stateDir, done.buildIds['x']!, { log: 'x\n' });
  const latest = await get(`${w.url}/jobset/demo/done/latest-eval`);
  assert.equal(latest.status, 302);
  assert.equal(latest.headers.get('location'), `/eval/${done.evalId}`);
  assert.equal(
    (await get(`${w.url}/jobset/demo/done/latest-eval/builds`)).headers.get('location'),
    `/eval/${done.evalId}/builds`,
  );

  assert.equal(
    (await get(`${w.url}/eval/${eval1.evalId}/job/a`)).headers.get('location'),
    `/build/${eval1.buildIds['a']}`,
  );
  assert.equal(
    (await get(`${w.url}/eval/${eval2.evalId}/job/a/log/raw`)).headers.get('location'),
    `/build/${eval2.buildIds['a']}/log/raw`,
  );
  assert.equal(
    (await get(`${w.url}/eval/${eval1.evalId}/job/tests.nested`)).headers.get('location'),
    `/build/${eval1.buildIds['tests.nested']}`,
  );
  assert.equal((await get(`${w.url}/eval/${eval1.evalId}/job/nosuchjob`)).status, 404);
});
