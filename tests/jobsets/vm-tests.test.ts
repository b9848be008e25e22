// The bundled nixos/trunk jobs (real multi-VM QEMU tests) built through hydrant like any
// job: evaluated by the evaluator, built by the queue runner, published by the server.
// Asserts on what users get: a real screenshot, the outage in the trac log, coverage
// merged from several machines, and the broken variant failing with the driver's message.
// Needs scripts/setup-vm.sh (run by the npm set-up).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PACKAGE_ROOT } from '../../core/paths.ts';
import { createEvaluator } from '../../evaluator/index.ts';
import { createQueueRunner } from '../../queue-runner/index.ts';
import { createWebServer, type WebServer } from '../../server/index.ts';
import { get } from '../helpers/http.ts';
import { decodePng, lineTotals } from '../helpers/images-and-coverage.ts';
import { inProcess } from '../helpers/roles.ts';
import { tempDir } from '../helpers/temp.ts';
import { allBuilds, cachedBuildJobs } from '../helpers/db.ts';
import { holdVmLock } from '../helpers/vm-lock.ts';

const kernelDir = process.env.HYDRANT_VM_KERNEL_DIR ?? '/var/lib/hydrant/vm-kernel';
const missing = existsSync(join(kernelDir, 'vmlinuz')) ? null : `no VM kernel in ${kernelDir}: run scripts/setup-vm.sh`;
// In CI a missing kernel is a failure with its reason, never a silent skip.
const skip = missing && !process.env.CI ? missing : false;
// Every derivation of the VM tests gets this run's nonce, so they really build (the VMs
// boot) whatever this machine's store already holds, e.g. a running `npm start`'s outputs.
const nonce = randomUUID();

interface Product {
  type: string;
  subtype: string;
  name: string;
  path: string;
}
interface Build {
  id: number;
  job: string;
  buildstatus: number;
  buildproducts: Record<string, Product>;
  buildmetrics: Record<string, { value: number }>;
}

const dir = tempDir();
const jobsets = join(dir, 'jobsets');
const { config, db, log } = inProcess(join(dir, 'state'), [
  '--jobsets',
  jobsets,
  '--allowed-paths',
  join(PACKAGE_ROOT, 'jobsets'),
]);
let server: WebServer;
let releaseVmLock = (): void => undefined;
const builds = new Map<string, Build>();

const jobset = (exprPath: string) => ({
  nixexprinput: 'src',
  nixexprpath: exprPath,
  checkinterval: 3600,
  inputs: { src: { type: 'path', value: join(PACKAGE_ROOT, 'jobsets') }, nonce: { type: 'string', value: nonce } },
});

async function buildJson(id: number): Promise<Build> {
  return (await get(`${server.url()}/build/${id}`, { json: true })).json() as Build;
}

function text(url: string): Promise<string> {
  return get(url).then((r) => {
    assert.equal(r.status, 200, `GET ${url}`);
    return r.text;
  });
}

before(async () => {
  if (skip) return;
  if (missing) throw new Error(`CI is set and the VM tests cannot run: ${missing}`);
  releaseVmLock = await holdVmLock(); // until the last noVmsLeft(): no other file's VMs meanwhile
  mkdirSync(jobsets);
  writeFileSync(
    join(jobsets, 'nixos.json'),
    JSON.stringify({ jobsets: { trunk: jobset('nixos/release.nix'), broken: jobset('nixos/broken.nix') } }),
  );
  const evaluator = createEvaluator(config, { log, db });
  await evaluator.runOnce();
  await evaluator.stop();
  const runner = createQueueRunner(config, { log, db });
  await runner.runOnce();
  await runner.stop();
  server = createWebServer(config, { log, db });
  await server.start();
  const rows = allBuilds(db);
  for (const r of rows) builds.set(`${r.jobset}:${r.job}`, await buildJson(r.id));
});

after(async () => {
  await server?.stop();
  releaseVmLock();
});

function product(build: Build, type: string, subtype: string, name?: string): [string, Product] {
  const found = Object.entries(build.buildproducts).find(
    ([, p]) => p.type === type && p.subtype === subtype && (!name || p.name === name),
  );
  assert.ok(
    found,
    `build ${build.id} (${build.job}) has a ${type} ${subtype} product: ${JSON.stringify(build.buildproducts)}`,
  );
  return found;
}

function noVmsLeft(): void {
  assert.equal(
    spawnSync('pgrep', ['-f', 'qemu-system'], { encoding: 'utf8' }).stdout,
    '',
    'no QEMU process outlives its test',
  );
}

test('the evaluator finds the three jobs of nixos/trunk, none of them already built', { skip }, () => {
  assert.deepEqual(cachedBuildJobs(db), [], 'every VM test was built by this run');
  assert.deepEqual([...builds.keys()].filter((k) => k.startsWith('trunk:')).sort(), [
    'trunk:report',
    'trunk:tests.quake3',
    'trunk:tests.trac',
  ]);
});

test('tests.quake3 succeeds and publishes the client screen as a real PNG', { skip }, async () => {
  const build = builds.get('trunk:tests.quake3')!;
  assert.equal(build.buildstatus, 0, await text(`${server.url()}/build/${build.id}/log/raw`));
  const [nr] = product(build, 'file', 'screenshot');
  const r = await fetch(`${server.url()}/build/${build.id}/download/${nr}`);
  assert.equal(r.status, 200);
  const screen = decodePng(Buffer.from(await r.arrayBuffer()));
  assert.deepEqual([screen.width, screen.height], [720, 400], 'VGA text mode screen');
  assert.ok(screen.distinctPixels >= 3, `screen has only ${screen.distinctPixels} colours`);
  const [logNr] = product(build, 'report', 'testlog');
  assert.match(await text(`${server.url()}/build/${build.id}/download/${logNr}/log.txt`), /entered the game/);
  noVmsLeft();
});

test('tests.trac succeeds and its log shows the storage outage being detected', { skip }, async () => {
  const build = builds.get('trunk:tests.trac')!;
  const buildLog = await text(`${server.url()}/build/${build.id}/log/raw`);
  assert.equal(build.buildstatus, 0, buildLog);
  assert.match(buildLog, /storage: crashing/);
  assert.match(buildLog, /test: storage: unavailable/);
  assert.match(buildLog, /outage detected/);
  product(build, 'report', 'testlog');
  noVmsLeft();
});

test('report merges coverage: all machines together cover more than any one alone', { skip }, async () => {
  const build = builds.get('trunk:report')!;
  assert.equal(build.buildstatus, 0);
  const [coverageNr] = product(build, 'report', 'coverage');
  assert.match(await text(`${server.url()}/build/${build.id}/download/${coverageNr}/`), /LCOV|coverage/i);
  const [mergedNr] = product(build, 'file', 'lcov', 'coverage.info');
  const merged = lineTotals(await text(`${server.url()}/build/${build.id}/download/${mergedNr}`));
  // The machines' own tracefiles ship beside the merged one, as `file lcov-input`: as `file
  // lcov` a reader merging the build's lcov products would count every hit twice.
  const perMachine = Object.entries(build.buildproducts).filter(([, p]) => p.subtype === 'lcov-input');
  assert.ok(perMachine.length >= 4, `coverage from ${perMachine.map(([, p]) => p.name).join(', ')}`);
  for (const [nr, p] of perMachine) {
    const alone = lineTotals(await text(`${server.url()}/build/${build.id}/download/${nr}`));
    assert.ok(alone.hit > 0, `${p.name} has coverage`);
    assert.ok(merged.hit > alone.hit, `merged ${merged.hit} lines hit, ${p.name} alone ${alone.hit}`);
  }
  assert.ok((build.buildmetrics['lineCoverage']?.value ?? 0) > 0, 'lineCoverage metric');
});

test('the broken variant ends "failed with output" with the driver message in its log', { skip }, async () => {
  const build = builds.get('broken:tests.trac')!;
  assert.equal(build.buildstatus, 6, 'nix-support/failed marks failed with output');
  const buildLog = await text(`${server.url()}/build/${build.id}/log/raw`);
  assert.match(buildLog, /TEST FAILED: webserver: command failed with status 1: tinydb query postgresql 5432 PUT/);
  assert.match(buildLog, /ERROR host 192\.168\.1\.3 is not trusted/);
  product(build, 'report', 'testlog');
  noVmsLeft();
});
