// The foundation's vertical slice: a commit in, built jobs out, through all three roles in
// one real `hydrant start` process, with real git, real nix and real HTTP.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { GitRepo } from '../helpers/git-repo.ts';
import { HydrantProcess } from '../helpers/hydrant-process.ts';
import { get } from '../helpers/http.ts';
import { tempDir } from '../helpers/temp.ts';
import { waitFor } from '../helpers/wait.ts';

// Unique derivations per run: an output another run already built would have no log here.
const nonce = randomUUID();
const releaseNix = (greeting: string) => `
{ src }:
let job = name: script: derivation {
  inherit name; nonce = "${nonce}"; system = builtins.currentSystem; builder = "/bin/sh"; args = [ "-c" script ];
  PATH = "/usr/bin:/bin";
}; in {
  ok = job "ok" ''
    echo "building ok from \${src.shortRev}"
    mkdir -p $out/nix-support
    echo hello > $out/greeting.txt
    echo "file doc $out/greeting.txt" > $out/nix-support/hydra-build-products
  '';
  fail = job "fail" "echo this job fails; exit 1";
  tests.hello = job "hello" "echo ${greeting}; echo ${greeting} > $out";
}`;

interface BuildJson {
  id: number;
  job: string;
  finished: number;
  buildstatus: number | null;
  starttime: number | null;
  stoptime: number | null;
  buildoutputs: Record<string, { path: string }>;
  buildproducts: Record<string, { name: string }>;
}

// Registered before tempDir(): hooks run in order, and hydrant must stop before its directory goes.
after(async () => {
  await hydrant?.stop();
});
const dir = tempDir();
const repo = new GitRepo(join(dir, 'repo'));
let hydrant: HydrantProcess;

before(async () => {
  repo.write('release.nix', releaseNix(`hello-one-${nonce}`)).commit('first');
  const jobsets = join(dir, 'jobsets');
  mkdirSync(jobsets);
  writeFileSync(
    join(jobsets, 'slice.json'),
    JSON.stringify({
      displayname: 'Slice <test>',
      jobsets: {
        main: {
          nixexprinput: 'src',
          nixexprpath: 'release.nix',
          checkinterval: 1,
          inputs: { src: { type: 'git', value: `${repo.dir} main` } },
        },
      },
    }),
  );
  hydrant = await new HydrantProcess([
    'start',
    '--state-dir',
    join(dir, 'state'),
    '--gc-roots-dir',
    join(dir, 'gcroots'),
    '--port',
    '0',
    '--jobsets',
    jobsets,
    '--eval-tick',
    '1',
    '--allowed-paths',
    dir,
  ]).start(); // the repository is local
});

async function evalBuilds(evalId: number): Promise<BuildJson[]> {
  const ev = (await get(`${hydrant.url}/eval/${evalId}`, { json: true })).json() as { builds: number[] };
  return Promise.all(
    ev.builds.map(async (id) => (await get(`${hydrant.url}/build/${id}`, { json: true })).json() as BuildJson),
  );
}

test('an evaluation with three builds is recorded and built: success, failure, nested success', async () => {
  const builds = await waitFor(
    'three finished builds',
    async () => {
      const r = await get(`${hydrant.url}/eval/1`, { json: true });
      if (r.status !== 200) return undefined;
      const all = await evalBuilds(1);
      return all.length === 3 && all.every((b) => b.finished === 1) ? all : undefined;
    },
    120,
  );
  const byJob = Object.fromEntries(builds.map((b) => [b.job, b]));
  assert.deepEqual(Object.keys(byJob).sort(), ['fail', 'ok', 'tests.hello']);
  assert.equal(byJob['ok']!.buildstatus, 0);
  assert.equal(byJob['fail']!.buildstatus, 1);
  assert.equal(byJob['tests.hello']!.buildstatus, 0);
  for (const b of builds) {
    assert.ok(b.starttime && b.stoptime && b.stoptime >= b.starttime, `build ${b.job} has start and stop times`);
    assert.match(b.buildoutputs['out']!.path, /^\/nix\/store\/[a-z0-9]{32}-/);
  }
  assert.equal(Object.values(byJob['ok']!.buildproducts)[0]?.name, 'greeting.txt');

  const log = await get(`${hydrant.url}/build/${byJob['fail']!.id}/log`);
  assert.equal(log.status, 200);
  assert.match(log.text, /this job fails/);
  const raw = await get(`${hydrant.url}/build/${byJob['tests.hello']!.id}/log/raw`);
  assert.match(raw.text, /hello-one/);
});

test('the pages show the project, jobset, evaluation and build', async () => {
  const home = await get(`${hydrant.url}/`);
  assert.equal(home.status, 200);
  assert.match(home.text, /href="\/project\/slice"/);
  assert.match(home.text, /Slice &lt;test&gt;/, 'display name is escaped');
  const project = await get(`${hydrant.url}/project/slice`);
  assert.match(project.text, /href="\/jobset\/slice\/main"/);
  const jobset = await get(`${hydrant.url}/jobset/slice/main`);
  assert.match(jobset.text, /href="\/eval\/1"/);
  const builds = await evalBuilds(1);
  const hello = builds.find((b) => b.job === 'tests.hello')!;
  const page = await get(`${hydrant.url}/build/${hello.id}`);
  assert.equal(page.status, 200);
  assert.match(page.text, /Succeeded/);
  assert.match(page.text, new RegExp(hello.buildoutputs['out']!.path));
  assert.match(page.text, new RegExp(`/build/${hello.id}/log`));
});

test('/job/P/J/JOB/latest redirects to the latest successful build, keeping extra segments', async () => {
  const hello = (await evalBuilds(1)).find((b) => b.job === 'tests.hello')!;
  const r = await get(`${hydrant.url}/job/slice/main/tests.hello/latest`);
  assert.equal(r.status, 302);
  assert.equal(r.headers.get('location'), `/build/${hello.id}`);
  const deep = await get(`${hydrant.url}/job/slice/main/tests.hello/latest/log/raw`);
  assert.equal(deep.headers.get('location'), `/build/${hello.id}/log/raw`);
  const failing = await get(`${hydrant.url}/job/slice/main/fail/latest`);
  assert.equal(failing.status, 404, 'a job that never succeeded has no latest');
});

test('JSON answers say they vary by Accept', async () => {
  const r = await get(`${hydrant.url}/jobset/slice/main`, { json: true });
  assert.match(r.headers.get('content-type') ?? '', /application\/json/);
  assert.match(r.headers.get('vary') ?? '', /Accept/);
  assert.equal((r.json() as { nixexprinput: string }).nixexprinput, 'src');
});

test('a new commit leads to a new evaluation without a restart, reusing unchanged builds', async () => {
  const first = await evalBuilds(1);
  repo.write('release.nix', releaseNix(`hello-two-${nonce}`)).commit('second');
  const second = await waitFor(
    'evaluation 2',
    async () => {
      const r = await get(`${hydrant.url}/eval/2`, { json: true });
      return r.status === 200 ? (r.json() as { builds: number[] }) : undefined;
    },
    60,
  );
  assert.equal(second.builds.length, 3);
  const firstFail = first.find((b) => b.job === 'fail')!;
  assert.ok(second.builds.includes(firstFail.id), 'the unchanged failing job keeps its build');
  const firstHello = first.find((b) => b.job === 'tests.hello')!;
  assert.ok(!second.builds.includes(firstHello.id), 'the changed job gets a new build');
});
