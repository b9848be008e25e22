// A private project is hidden from everyone but its owner, its members and admins, on every
// route of the router's table. The walk is generated from that table: each route's path
// pattern is filled in with the names and ids of a private project's jobset, evaluation,
// build and job, and answered for an anonymous visitor, a member and a logged-in outsider
// (with every global role but admin and create-projects). For those who may not read it,
// the answer must be the answer for names and ids that do not exist, and nothing they are
// shown may mention the private project. A new route without the check fails here.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import express from 'express';
import { readConfig } from '../../core/config.ts';
import { finishBuild } from '../../core/db/build-results.ts';
import { BuildStatus } from '../../core/model/status.ts';
import { plainResult } from '../helpers/db.ts';
import { syncMachines } from '../../core/db/machines.ts';
import { createLogger } from '../../core/log.ts';
import { CliNix } from '../../core/nix/cli-nix.ts';
import { createRateLimiter } from '../../server/auth/rate-limit.ts';
import { createReadCache } from '../../server/cache.ts';
import { createRenderer } from '../../server/render.ts';
import { openLocalStore } from '../../core/nix/local-store.ts';
import { ROUTES } from '../../server/routes/index.ts';
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
import { tempDir } from '../helpers/temp.ts';

interface World {
  project: string;
  jobset: string;
  job: string;
  build: number;
  eval: number;
  repo: string;
}

let w: WebFixture;
let hush: World;
let open: World;
let hushCulprit: number;
let victimBuild: number;
const missing: World = {
  project: 'nosuchproj',
  jobset: 'nosuchset',
  job: 'nosuchjob',
  build: 999999,
  eval: 999998,
  repo: 'https://example.invalid/nosuch.git',
};
const cookies: Record<string, string> = {};
const MARKER = /hush/i;

function addToStore(path: string): string {
  writeFileSync(join(path, '.nonce'), randomUUID());
  return execFileSync('nix-store', ['--option', 'build-users-group', '', '--add', path], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

before(async () => {
  w = await startWebFixture();
  await addUser(w.db, 'owner1', 'owner pass');
  await addUser(w.db, 'outsider', 'outsider pass', ['restart-jobs', 'cancel-build', 'bump-to-front', 'eval-jobset']);
  addProject(w.db, 'openproj');
  const openset = addJobset(w.db, 'openproj', 'openset', 'https://example.invalid/open.git');
  // Public evaluations first, so the private ids are not small numbers found anywhere on a page.
  for (let i = 0; i < 12; i++)
    addEval(w.db, openset, [
      { name: 'openjob', drv: `openjob-${i}` },
      { name: 'other', drv: `other-${i}` },
    ]);
  const openEval = addEval(w.db, openset, [{ name: 'openjob', drv: 'openjob-last' }]);
  runStep(w.db, w.stateDir, openEval.buildIds['openjob']!, { log: 'open log\n' });
  open = {
    project: 'openproj',
    jobset: 'openset',
    job: 'openjob',
    build: openEval.buildIds['openjob']!,
    eval: openEval.evalId,
    repo: 'https://example.invalid/open.git',
  };

  addProject(w.db, 'hushproj', { owner: 'owner1', private: true, description: 'hush hush' });
  await addUser(w.db, 'mem', 'member pass', [], ['hushproj']);
  const hushset = addJobset(w.db, 'hushproj', 'hushset', 'https://example.invalid/hush.git');
  const first = addEval(w.db, hushset, [{ name: 'hushjob', drv: 'hushjob-1' }]);
  runStep(w.db, w.stateDir, first.buildIds['hushjob']!, { log: 'hush first\n', status: 1 });
  // A public build that failed because of a dependency the private project built first.
  hushCulprit = first.buildIds['hushjob']!;
  const victim = addEval(w.db, openset, [{ name: 'victim', drv: 'victim-1' }]).buildIds['victim']!;
  finishBuild(w.db, victim, plainResult(BuildStatus.DependencyFailed), {
    drvPath: '/nix/store/shared-dep.drv',
    status: 1,
    errormsg: 'builder failed',
    machine: 'localhost',
    system: 'x86_64-linux',
    logfile: null,
    propagatedFrom: hushCulprit,
    startTime: null,
  });
  victimBuild = victim;
  const out = join(tempDir(), 'hush-out');
  mkdirSync(out);
  writeFileSync(join(out, 'index.html'), '<p>hush report</p>');
  const storePath = addToStore(out);
  const second = addEval(w.db, hushset, [{ name: 'hushjob', drv: 'hushjob-2', out: storePath }]);
  const queued = addEval(w.db, addJobset(w.db, 'hushproj', 'hushother', 'https://example.invalid/hush-other.git'), [
    { name: 'hushqueued' },
  ]);
  const build = second.buildIds['hushjob']!;
  runStep(w.db, w.stateDir, build, {
    log: 'hush log\n',
    products: [
      {
        type: 'report',
        subtype: 'html',
        path: storePath,
        name: 'hush-out',
        defaultpath: null,
        filesize: null,
        sha256hash: null,
      },
    ],
  });
  // queued, with a running step
  runStep(w.db, w.stateDir, queued.buildIds['hushqueued']!, { log: 'hush running\n', finish: false });
  syncMachines(w.db, [
    {
      name: 'localhost',
      systems: ['x86_64-linux'],
      maxJobs: 1,
      speedFactor: 1,
      supportedFeatures: [],
      mandatoryFeatures: [],
    } as never,
  ]);
  hush = {
    project: 'hushproj',
    jobset: 'hushset',
    job: 'hushjob',
    build,
    eval: second.evalId,
    repo: 'https://example.invalid/hush.git',
  };
  for (const [user, pass] of [
    ['mem', 'member pass'],
    ['owner1', 'owner pass'],
    ['outsider', 'outsider pass'],
  ])
    cookies[user!] = await login(w.url, user!, pass!);
});
after(() => w.stop());

/** Every route of the server's table as [method, path pattern], read from a router the route modules filled. */
function routeTable(): [string, string][] {
  const { config } = readConfig(
    ['--state-dir', join(tempDir(), 'state'), '--gc-roots-dir', join(tempDir(), 'gcroots')],
    {},
  );
  const router = express.Router();
  const ctx = {
    db: w.db,
    render: createRenderer(),
    config,
    log: createLogger('silent'),
    cache: createReadCache(w.db),
    loginLimiter: createRateLimiter(w.db, 5, 300),
    nix: new CliNix(),
    store: openLocalStore(),
    cacheKey: null,
  };
  for (const register of ROUTES) register(router, ctx);
  const stack = (
    router as unknown as { stack: { route?: { path: string | string[]; methods: Record<string, boolean> } }[] }
  ).stack;
  return stack.flatMap((layer) =>
    layer.route
      ? [layer.route.path]
          .flat()
          .flatMap((path) => Object.keys(layer.route!.methods).map((m): [string, string] => [m.toUpperCase(), path]))
      : [],
  );
}

/** Fills a path pattern from a world: parameters by name, else by the kind of object the URL's first segment names. */
function fill(pattern: string, world: World): string {
  const segments = pattern.split('/');
  const kind = segments[1] ?? '';
  let position = 0;
  return segments
    .map((seg) => {
      if (seg.startsWith('*')) return 'index.html';
      if (!seg.startsWith(':')) return seg;
      const name = seg.slice(1);
      const nth = position++;
      const byName: Record<string, string> = {
        project: world.project,
        jobset: world.jobset,
        job: world.job,
        system: 'x86_64-linux',
        nr: '1',
        step: '1',
        keep: '1',
      };
      if (byName[name] !== undefined) return encodeURIComponent(byName[name]!);
      if (kind === 'build') return String(world.build);
      if (kind === 'eval') return String(world.eval);
      return encodeURIComponent([world.project, world.jobset, world.job][nth] ?? '1');
    })
    .join('/');
}

/** Query parameters naming things, for routes that take them (?compare=, ?project=, ?query=, /api/push). */
const query = (q: World) =>
  `?compare=${q.eval}&project=${q.project}&query=${q.job}` +
  `&jobsets=${q.project}:${q.jobset}&repos=${encodeURIComponent(q.repo)}&step=1`;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * The answer with the world's names and ids replaced by placeholders, so two worlds' answers
 * compare. Names are unlike anything else on a page; ids only where the URL put them: all
 * whole numbers equal to them in an error page or when the path names the world's objects (the
 * answer is then an error page), else only the `compare=` a pager echoes.
 */
function normalised(text: string, world: World, pathNamesWorld: boolean): string {
  // Two requests may straddle a second: "3 seconds ago" is not a difference between the worlds.
  let t = text
    .replace(/\b\d+ (second|minute|hour|day|month|year)s? ago\b/g, '<ago>')
    .replace(/"time":\d+/g, '"time":<now>'); // /queue-runner-status says when it answered
  for (const [key, value] of Object.entries(world)) {
    const v = String(value);
    if (typeof value === 'number') {
      t = pathNamesWorld
        ? t.replace(new RegExp(`(?<!\\d)${v}(?!\\d)`, 'g'), `<${key}>`)
        : t.replace(new RegExp(`compare=${v}(?!\\d)`, 'g'), `compare=<${key}>`);
    } else t = t.replace(new RegExp(escape(v), 'g'), `<${key}>`).replaceAll(encodeURIComponent(v), `<${key}>`);
  }
  return t;
}

async function ask(
  method: string,
  path: string,
  who: string | null,
  accept: string,
): Promise<{ status: number; body: string; location: string }> {
  const headers: Record<string, string> = { Accept: accept, Origin: w.url };
  if (who) headers['Cookie'] = cookies[who]!;
  const hasBody = method !== 'GET';
  if (hasBody) headers['Content-Type'] = 'application/json';
  const res = await fetch(w.url + path, {
    method,
    headers,
    body: hasBody ? '{}' : undefined,
    redirect: 'manual',
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, body: await res.text(), location: res.headers.get('location') ?? '' };
}

// Ending the session or logging in says nothing about projects.
const NOT_ABOUT_PROJECTS = new Set(['POST /logout', 'POST /login']);

test('the route table is read whole (the walk below covers every route)', () => {
  const table = routeTable();
  assert.ok(table.length >= 40, `${table.length} routes`);
  for (const must of [
    'GET /build/:id/download/:nr',
    'GET /eval/:id',
    'GET /queue',
    'GET /metrics',
    'PUT /jobset/:project/:jobset',
  ]) {
    assert.ok(
      table.some(([m, p]) => `${m} ${p}` === must),
      must,
    );
  }
});

test('anonymous visitors and outsiders get the answer for things that do not exist, on every route', async () => {
  const table = routeTable().filter(([m, p]) => !NOT_ABOUT_PROJECTS.has(`${m} ${p}`));
  // Reads first: the writes could change what the pages show if a check were missing.
  table.sort(([a], [b]) => Number(a !== 'GET') - Number(b !== 'GET'));
  const failures: string[] = [];
  for (const [method, pattern] of table) {
    for (const who of [null, 'outsider']) {
      for (const accept of method === 'GET' ? ['text/html', 'application/json'] : ['application/json']) {
        // Path and query naming the private project, against the same URL naming nothing; and a public
        // path (a public evaluation) with the query naming the private one (?compare=) against naming nothing.
        // Path and query naming the private project, against the same URL naming nothing; and (for reads) a
        // public path with the query naming the private project (?compare=, ?project=) against naming nothing.
        for (const publicPath of method === 'GET' ? [false, true] : [false]) {
          const hasParams = pattern.includes(':') || pattern.includes('*');
          const pathOf = (wd: World) => fill(pattern, publicPath ? open : wd);
          const shown = await ask(method, pathOf(hush) + query(hush), who, accept);
          const baseline = await ask(method, pathOf(missing) + query(missing), who, accept);
          const label = `${method} ${pattern} as ${who ?? 'anonymous'} (${accept}${publicPath ? ', public path' : ''})`;
          const normal = (r: typeof shown, wd: World) => {
            const byPath = (hasParams && !publicPath) || r.status >= 400; // an error page lists no other ids
            return `${r.status} ${normalised(r.location, wd, byPath)} ${normalised(r.body, wd, byPath)}`;
          };
          if (normal(shown, hush) !== normal(baseline, missing)) {
            failures.push(
              `${label}: ${shown.status} ${normal(shown, hush).slice(0, 300)} ≠ ` +
                `${baseline.status} ${normal(baseline, missing).slice(0, 300)}`,
            );
          } else if (MARKER.test(baseline.body) || MARKER.test(baseline.location))
            failures.push(`${label}: mentions the private project`);
        }
      }
    }
  }
  assert.deepEqual(failures, []);
});

test("the owner reads the private project's pages (the walk above is not vacuous), members too", async () => {
  const failures: string[] = [];
  let read = 0;
  const table = routeTable().filter(([m, p]) => m === 'GET' && (p.includes(':') || p.includes('*')));
  for (const [method, pattern] of table) {
    const r = await ask(method, fill(pattern, hush) + query(hush), 'owner1', 'text/html');
    if (r.status < 400) read++;
    else failures.push(`${pattern}: ${r.status} ${/<p>([^<]*)<\/p>/.exec(r.body)?.[1] ?? r.body.slice(0, 200)}`);
  }
  // Every page of the seeded objects reads; a route added later whose URL the seed cannot fill
  // (it would 404 for the owner too) must not make this test fail, so the core pages are named.
  for (const core of [
    '/project/:project',
    '/jobset/:project/:jobset',
    '/eval/:id',
    '/build/:id',
    '/build/:id/log',
    '/build/:id/download/:nr',
    '/job/:project/:jobset/:job',
    '/job/:project/:jobset/:job/latest',
    '/job/:project/:jobset/:job/shield',
    '/jobset/:project/:jobset/latest-eval',
  ]) {
    assert.ok(!failures.some((f) => f.startsWith(`${core}: `)), `${core} answers the owner: ${failures.join('; ')}`);
  }
  // The seed has no coverage, screenshots, channels or cache paths, so those pages 404 for the owner too.
  assert.ok(read >= table.length * 0.7, `only ${read} of ${table.length} pages read: ${failures.join('; ')}`);
  for (const page of ['/', '/queue', '/status', '/search?query=hush'])
    assert.match((await ask('GET', page, 'mem', 'text/html')).body, MARKER, page);
});

test('/metrics and the queue count the private project for members only', async () => {
  const metric = (text: string, name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)![1]);
  const anonymous = (await ask('GET', '/metrics', null, 'text/plain')).body;
  const member = (await ask('GET', '/metrics', 'mem', 'text/plain')).body;
  assert.equal(metric(member, 'hydrant_builds_queued') - metric(anonymous, 'hydrant_builds_queued'), 1);
  assert.equal(metric(member, 'hydrant_builds_finished') - metric(anonymous, 'hydrant_builds_finished'), 2);
  assert.equal(metric(member, 'hydrant_evaluations') - metric(anonymous, 'hydrant_evaluations'), 3);
  assert.equal(metric(member, 'hydrant_build_steps_running') - metric(anonymous, 'hydrant_build_steps_running'), 1);
});

test("a public build broken by a private project's build does not name or link that build", async () => {
  for (const who of [null, 'outsider']) {
    const page = (await ask('GET', `/build/${victimBuild}`, who, 'text/html')).body;
    assert.doesNotMatch(page, new RegExp(`/build/${hushCulprit}"|build ${hushCulprit}\\b`), who ?? 'anonymous');
  }
  assert.match(
    (await ask('GET', `/build/${victimBuild}`, 'owner1', 'text/html')).body,
    new RegExp(`/build/${hushCulprit}"`),
    'the owner sees where it came from',
  );
});
