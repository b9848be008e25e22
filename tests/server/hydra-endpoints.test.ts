// Hydra's endpoints beyond the pages, each against what Hydra's code answers (the file is
// named in each test), with a private project that must stay out of every list.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { get } from '../helpers/http.ts';
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
import { setBuildPriority, setBuildTimestamp, setProjectPrivate } from '../helpers/db.ts';

let w: WebFixture;
let pub: { evalId: number; buildIds: Record<string, number> };
let pub2: { evalId: number; buildIds: Record<string, number> };
let hidden: { evalId: number; buildIds: Record<string, number> };
let cookie = '';

before(async () => {
  w = await startWebFixture();
  addProject(w.db, 'demo');
  const js = addJobset(w.db, 'demo', 'main');
  pub = addEval(w.db, js, [{ name: 'a' }, { name: 'b' }, { name: 'q' }]);
  runStep(w.db, w.stateDir, pub.buildIds.a!, {
    log: 'a\n',
    products: [
      {
        type: 'nix-build',
        subtype: '',
        path: '/nix/store/x-a',
        name: 'a',
        defaultpath: null,
        filesize: null,
        sha256hash: null,
      },
    ],
  });
  runStep(w.db, w.stateDir, pub.buildIds.b!, {
    log: 'b\n',
    status: 1,
    products: [
      {
        type: 'nix-build',
        subtype: '',
        path: '/nix/store/x-b',
        name: 'b',
        defaultpath: null,
        filesize: null,
        sha256hash: null,
      },
    ],
  });
  // Same builds again: no new builds, so /evals leaves it out (hasnewbuilds = 0).
  addEval(w.db, js, [{ name: 'a' }, { name: 'b' }, { name: 'q' }]);
  pub2 = addEval(w.db, js, [{ name: 'a', drv: 'a-2' }, { name: 'b' }, { name: 'q' }]);
  runStep(w.db, w.stateDir, pub2.buildIds.a!, { log: 'a again\n' });
  setBuildPriority(w.db, pub.buildIds.q!, 50);
  addProject(w.db, 'secret', { owner: 'ada' });
  setProjectPrivate(w.db, 'secret', true);
  hidden = addEval(w.db, addJobset(w.db, 'secret', 'main'), [{ name: 's' }, { name: 'squeued' }]);
  runStep(w.db, w.stateDir, hidden.buildIds.s!, { log: 's\n' });
  await addUser(w.db, 'ada', 'pw-ada-123', [], ['secret']);
  cookie = await login(w.url, 'ada', 'pw-ada-123');
});
after(() => w.stop());

const getJson = async (path: string, headers: Record<string, string> = {}) => {
  const r = await fetch(w.url + path, { headers: { Accept: 'application/json', ...headers } });
  assert.equal(r.status, 200, `${path}: ${await r.clone().text()}`);
  return r.json() as Promise<unknown>;
};

test(`/api/latestbuilds: finished builds newest first, Hydra's short shape, filters, \
private projects left out`, async () => {
  // Hydra: Controller/API.pm latestbuilds and buildToHash.
  const builds = (await getJson('/api/latestbuilds?nr=10')) as Record<string, unknown>[];
  assert.deepEqual(
    builds.map((b) => b.id),
    [pub2.buildIds.a, pub.buildIds.b, pub.buildIds.a],
  );
  assert.deepEqual(Object.keys(builds[0]!).sort(), [
    'buildstatus',
    'finished',
    'id',
    'job',
    'jobset',
    'nixname',
    'project',
    'system',
    'timestamp',
  ]);
  assert.equal(builds[0]!.finished, 1, 'the integer column, as buildToHash sends it');
  assert.deepEqual(
    ((await getJson('/api/latestbuilds?nr=10&job=b')) as { id: number }[]).map((b) => b.id),
    [pub.buildIds.b],
  );
  assert.equal(((await getJson('/api/latestbuilds?nr=1')) as unknown[]).length, 1);
  const asMember = (await getJson('/api/latestbuilds?nr=10', { cookie })) as { id: number }[];
  assert.ok(
    asMember.some((b) => b.id === hidden.buildIds.s),
    'a member sees the private build',
  );
  const missing = await fetch(`${w.url}/api/latestbuilds`);
  assert.equal(missing.status, 400);
  assert.match(await missing.text(), /Parameter not defined!/);
});

test('/api/queue and /api/nrqueue: unfinished builds by priority, then id; their number as text', async () => {
  // Hydra: Controller/API.pm queue (order_by priority DESC, id) and nrqueue.
  const queue = (await getJson('/api/queue?nr=10')) as Record<string, unknown>[];
  assert.deepEqual(
    queue.map((b) => b.id),
    [pub.buildIds.q],
  );
  assert.equal(queue[0]!.priority, 50);
  assert.ok(!('buildstatus' in queue[0]!), 'an unfinished build has priority, not buildstatus');
  const nr = await fetch(`${w.url}/api/nrqueue`);
  assert.equal(await nr.text(), '1');
  assert.equal(await (await fetch(`${w.url}/api/nrqueue`, { headers: { cookie } })).text(), '2');
});

test('/api/nrbuilds: finished builds per period, oldest period first', async () => {
  // Hydra: Controller/API.pm nrbuilds (group by timestamp - timestamp % base, newest nr, reversed).
  const day = 24 * 3600;
  const base = Math.floor(Date.now() / 1000 / day) * day;
  setBuildTimestamp(w.db, pub.buildIds.a!, base - day + 5);
  try {
    assert.deepEqual(await getJson('/api/nrbuilds?nr=5&period=day'), [1, 2]);
    assert.deepEqual(await getJson('/api/nrbuilds?nr=1&period=day'), [2]);
    assert.deepEqual(await getJson('/api/nrbuilds?nr=5&period=day&job=a'), [1, 1]);
    assert.equal((await fetch(`${w.url}/api/nrbuilds?nr=5&period=week`)).status, 400);
  } finally {
    setBuildTimestamp(w.db, pub.buildIds.a!, base + 5);
  }
});

test("/current-user, where Hydra's login redirects, answers the signed-in user", async () => {
  // Hydra: Controller/User.pm currentUser_GET (requireUser: 403 when nobody is signed in).
  const user = (await getJson('/current-user', { cookie })) as Record<string, unknown>;
  assert.deepEqual(user, { username: 'ada', fullname: '', emailaddress: '', userroles: [] });
  assert.equal((await fetch(`${w.url}/current-user`, { headers: { Accept: 'application/json' } })).status, 403);
});

test('/evals: only evaluations that added builds, with counts and the change in successes', async () => {
  // Hydra: Controller/Root.pm evals and Helper/Nix.pm getEvals (hasnewbuilds => 1).
  const evals = (await getJson('/evals')) as {
    eval: { id: number; hasnewbuilds: boolean };
    nrScheduled: number;
    nrSucceeded: number;
    nrFailed: number;
    diff: number;
    changedInputs: unknown[];
  }[];
  assert.deepEqual(
    evals.map((e) => e.eval.id),
    [pub2.evalId, pub.evalId],
  );
  assert.deepEqual(
    evals.map((e) => [e.nrSucceeded, e.nrFailed, e.nrScheduled, e.diff]),
    [
      [1, 1, 1, 0],
      [1, 1, 1, 0],
    ],
  );
  assert.deepEqual(evals[1]!.changedInputs.length, 1, 'the first evaluation: every input is new');
  assert.ok(
    ((await getJson('/evals', { cookie })) as { eval: { id: number } }[]).some((e) => e.eval.id === hidden.evalId),
  );
  const page = await get(`${w.url}/evals`);
  assert.match(page.text, new RegExp(`href="/eval/${pub2.evalId}"`));
  assert.doesNotMatch(page.text, /secret:main/);
});

test('/steps: steps that ran, the latest ended first', async () => {
  // Hydra: Controller/Root.pm steps (starttime and stoptime set, order by stoptime desc).
  const steps = (await getJson('/steps')) as { build: number }[];
  assert.deepEqual(new Set(steps.map((s) => s.build)), new Set([pub.buildIds.a, pub.buildIds.b, pub2.buildIds.a]));
  const page = await get(`${w.url}/steps`);
  assert.equal(page.status, 200);
  assert.match(page.text, /Latest steps/);
});

test('/queue-runner-status answers as Hydra without a queue-runner endpoint, plus the queue', async () => {
  // Hydra: Controller/Root.pm queue_runner_status ({status => "unknown"} without an endpoint).
  const status = (await getJson('/queue-runner-status')) as Record<string, unknown>;
  assert.equal(status.status, 'unknown');
  assert.equal(status.nrQueuedBuilds, 1, "the private project's queued build is not counted for an anonymous client");
  assert.match((await get(`${w.url}/queue-runner-status`)).text, /&quot;status&quot;: &quot;unknown&quot;/);
});

test('/eval/N/store-paths: sorted outputs of successful builds with a nix-build product', async () => {
  // Hydra: Controller/JobsetEval.pm store_paths.
  const paths = (await getJson(`/eval/${pub.evalId}/store-paths`)) as string[];
  assert.equal(paths.length, 1);
  assert.match(paths[0]!, /-a-[a-z0-9]+$/);
  assert.equal((await fetch(`${w.url}/eval/${hidden.evalId}/store-paths`)).status, 404, 'private evaluation');
});

test("/search: substrings, Hydra's character set and limit, JSON without jobs", async () => {
  // Hydra: Controller/Root.pm search (ilike '%q%', limit default 10 and at most 50, jobs only on the page).
  const found = (await getJson('/search?query=-A-')) as Record<string, { id: number }[]>;
  assert.deepEqual(Object.keys(found).sort(), ['builds', 'buildsdrv', 'jobsets', 'projects']);
  assert.deepEqual(
    found.builds!.map((b) => b.id),
    [pub2.buildIds.a, pub.buildIds.a],
    'output paths that contain "-a-", any case, newest first',
  );
  assert.deepEqual(((await getJson('/search?query=-a-&limit=1')) as Record<string, unknown[]>).builds!.length, 1);
  assert.ok(
    !((await getJson('/search?query=-s-')) as Record<string, { id: number }[]>).builds!.some(
      (b) => b.id === hidden.buildIds.s,
    ),
    'no private builds',
  );
  const bad = await fetch(`${w.url}/search?query=a%20b`, { headers: { Accept: 'application/json' } });
  assert.equal(bad.status, 400);
  assert.deepEqual(await bad.json(), { error: 'Invalid character in query.' });
  assert.match(
    (await get(`${w.url}/search?query=q`)).text,
    new RegExp(`href="/build/${pub.buildIds.q}"`),
    'the page lists jobs by name',
  );
});
