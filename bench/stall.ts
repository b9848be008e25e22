// bench/stall: nothing stalls the building. A real `hydrant start` builds a chain of 100
// derivations alone, then another chain while 32 clients read the raw and the pretty page of
// a 50 MB build log (16 each) and a probe asks for / every 100 ms. Targets (issue 11): the
// chain within 1.3× of the chain alone; the server's RSS below 300 MB; p99 of / below 100 ms.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { openDatabase, type Db } from '../core/db/database.ts';
import { registerEvaluation } from '../core/db/evals.ts';
import { upsertJobsetFromSpec } from '../core/db/jobsets.ts';
import { migrate } from '../core/db/migrate.ts';
import { upsertProject } from '../core/db/projects.ts';
import { bareResult, finishBuild } from '../core/db/build-results.ts';
import { BuildStatus } from '../core/model/status.ts';
import { finishStep, setStepLogfile, startStep } from '../core/db/steps.ts';
import { PACKAGE_ROOT } from '../core/paths.ts';
import { evaluatedJob } from '../tests/helpers/db.ts';

const CHAIN_TARGET = 1.3;
const RSS_TARGET_MB = 300;
const P99_TARGET_MS = 100;
const CLIENTS = 32;
const root = mkdtempSync(join(tmpdir(), 'hydrant-bench-stall-'));
const stateDir = join(root, 'state');
const dbPath = join(stateDir, 'hydrant.sqlite');

/** A finished build with a 50 MB log, as the queue runner leaves it (compressed). */
async function seedBigLog(db: Db): Promise<number> {
  upsertProject(db, {
    name: 'seed',
    displayname: 'seed',
    description: '',
    homepage: '',
    enabled: true,
    hidden: false,
    owner: '',
    spec_source: '',
  });
  const jobsetId = upsertJobsetFromSpec(
    db,
    'seed',
    {
      name: 'logs',
      enabled: 0,
      hidden: false,
      description: '',
      nixexprinput: 'x',
      nixexprpath: 'x',
      checkinterval: 0,
      schedulingshares: 100,
      enableemail: false,
      emailoverride: '',
      keepnr: 3,
      inputs: [],
    },
    '',
  );
  const drv = `/nix/store/${'0'.repeat(32)}-big-log.drv`;
  const { evalId } = registerEvaluation(db, {
    jobsetId,
    inputsHash: 'seed',
    checkoutSeconds: 0,
    evalSeconds: 0,
    nixexprinput: 'x',
    nixexprpath: 'x',
    inputs: [],
    errors: [],
    jobs: [evaluatedJob('big', drv)],
  });
  const { id } = db.prepare('SELECT build_id AS id FROM jobset_eval_members WHERE eval_id = ?').get(evalId) as {
    id: number;
  };
  const stepnr = startStep(db, {
    buildId: id,
    drvPath: drv,
    machine: 'localhost',
    system: 'x86_64-linux',
    logfileFor: (n) => `logs/${id}/${n}.log`,
  });
  const gz = join(stateDir, `logs/${id}/${stepnr}.log.gz`);
  mkdirSync(dirname(gz), { recursive: true });
  async function* text() {
    for (let i = 0; i < 700; i++)
      yield Array.from(
        { length: 1000 },
        (_, k) => `line ${i * 1000 + k}: ${randomBytes(24).toString('base64')} ${'.'.repeat(30)}\n`,
      ).join('');
  }
  await pipeline(text, createGzip(), createWriteStream(gz));
  finishStep(db, id, stepnr, { status: 0, errormsg: null, outputs: {} });
  setStepLogfile(db, id, stepnr, `logs/${id}/${stepnr}.log.gz`);
  finishBuild(db, id, bareResult(BuildStatus.Success, 1));
  return id;
}

function jobsetsDir(name: string): string {
  const dir = join(root, `jobsets-${name}`);
  mkdirSync(join(dir, 'src'), { recursive: true });
  return dir;
}

/** Writes the chain's spec into the directory hydrant already watches, so the chain starts once hydrant has settled. */
function chainSpec(name: string): void {
  const dir = jobsetsDir(name);
  const nonce = randomBytes(8).toString('hex');
  writeFileSync(
    join(dir, 'src', 'release.nix'),
    `let mk = name: script: derivation { inherit name; system = builtins.currentSystem; builder = "/bin/sh";
    PATH = "/usr/bin:/bin"; args = [ "-c" ("# ${nonce}\\n" + script) ]; };
  in builtins.listToAttrs (builtins.genList (i: { name = "c\${toString i}";
    value = builtins.foldl' (prev: j: mk "chain-\${toString j}" "cat \${prev} > $out; echo \${toString j} >> $out")
      (mk "chain-0" "echo 0 > $out") (builtins.genList (j: j + 1) i); }) 100)`,
  );
  writeFileSync(
    join(dir, `${name}.json`),
    JSON.stringify({
      jobsets: {
        chain: { nixexprinput: 'src', checkinterval: 3600, inputs: { src: { type: 'path', value: './src' } } },
      },
    }),
  );
}

interface Running {
  child: ChildProcess;
  url: string;
  output: () => string;
}

async function startHydrant(jobsets: string): Promise<Running> {
  let output = '';
  const child = spawn(
    process.execPath,
    [
      // What `npm start` runs: compiled JavaScript (`npm run bench` builds it first), whose
      // roles start in a fraction of the CPU that tsx's compiling them costs.
      join(PACKAGE_ROOT, 'dist', 'cli', 'hydrant.js'),
      'start',
      '--state-dir',
      stateDir,
      '--port',
      '0',
      '--gc-roots-dir',
      join(root, 'gcroots'),
      '--jobsets',
      jobsets,
      '--eval-tick',
      '1',
      '--log-level',
      'info',
    ],
    { cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (d: Buffer) => {
    output += d;
  });
  child.stderr!.on('data', (d: Buffer) => {
    output += d;
  });
  for (let i = 0; i < 600; i++) {
    const url = /"url":"(http:[^"]+)","msg":"web server listening"/.exec(output)?.[1];
    if (url) return { child, url, output: () => output };
    await sleep(100);
  }
  throw new Error(`hydrant did not start:\n${output}`);
}

async function settle(h: Running): Promise<void> {
  for (let i = 0; i < 600 && !/evaluator started/.test(h.output()); i++) await sleep(100);
  await (await fetch(`${h.url}/`)).text();
  await sleep(2000);
}

async function stop(h: Running): Promise<void> {
  const done = new Promise((r) => h.child.once('exit', r));
  h.child.kill('SIGTERM');
  await done;
}

/** Seconds from the chain's first build row to its last finished build (the evaluation is not timed). */
async function timeChain(db: Db, project: string): Promise<number> {
  const count = db.prepare(
    'SELECT count(*) AS n, sum(finished) AS done FROM builds b JOIN jobsets j ON j.id = b.jobset_id ' +
      'WHERE j.project = ?',
  );
  let started = 0;
  for (;;) {
    const { n, done } = count.get(project) as { n: number; done: number | null };
    if (n > 0 && !started) started = performance.now();
    if (n === 100 && done === 100) return (performance.now() - started) / 1000;
    await sleep(50);
  }
}

function serverRssMb(h: Running): number {
  const pid = [...h.output().matchAll(/"role":"server","child":(\d+)/g)].at(-1)?.[1];
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

/**
 * The 32 log readers run on a thread of their own: on the probe's event loop, draining
 * 50 MB answers delayed the probe's own timing of / by tens of milliseconds, which was the
 * bench measuring itself, not the server.
 */
const READERS = `
const parentPort = { on: (e, f) => process.on(e, f), postMessage: (m) => process.send(m) };
const workerData = JSON.parse(process.argv[2]);
const { Agent, request } = require('node:http');
const agent = new Agent({ keepAlive: true, maxSockets: workerData.urls.length });
let loading = true;
let requests = 0;
parentPort.on('message', () => (loading = false));
const drain = (url) =>
  new Promise((resolve) => {
    const req = request(url, { agent }, (res) => {
      res.on('data', () => undefined);
      res.on('end', resolve);
      res.on('error', resolve);
    });
    req.on('error', resolve);
    req.end();
  });
Promise.all(
  workerData.urls.map(async (url) => {
    while (loading) {
      await drain(url);
      requests++;
    }
  }),
).then(() => {
  agent.destroy();
  parentPort.postMessage(requests);
});
`;

function startReaders(urls: string[]): { stop: () => Promise<number> } {
  const script = join(root, 'readers.cjs');
  writeFileSync(script, READERS);
  const child = fork(script, [JSON.stringify({ urls })], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  if (process.env['READERS_NICE']) setPriority(child.pid!, Number(process.env['READERS_NICE']));
  const counted = new Promise<number>((resolve) => child.once('message', (m) => resolve(Number(m))));
  return {
    async stop() {
      child.send('stop');
      const n = await counted;
      child.kill();
      return n;
    },
  };
}

/** Asks for / every 100 ms while `go` says so, recording how long each answer took. */
async function probeHome(
  h: Running,
  into: number[],
  go: () => boolean,
  each: () => void = () => undefined,
): Promise<void> {
  while (go()) {
    const t = performance.now();
    const res = await fetch(`${h.url}/`);
    await res.text();
    into.push(performance.now() - t);
    each();
    await sleep(100);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

try {
  const db = openDatabase(dbPath);
  migrate(db);
  const logBuild = await seedBigLog(db);
  let h = await startHydrant(jobsetsDir('alone'));
  // Every role has started and the server answers before the chain is given to the evaluator,
  // so the chain's time is the building's, not the processes' start.
  await settle(h);
  chainSpec('alone');
  let probing = true;
  const quiet: number[] = [];
  const quietProbe = probeHome(h, quiet, () => probing);
  const alone = await timeChain(db, 'alone');
  probing = false;
  await quietProbe;
  await stop(h);

  h = await startHydrant(jobsetsDir('loaded'));
  const readers = startReaders(
    Array.from({ length: CLIENTS }, (_, i) => `${h.url}/build/${logBuild}/log${i % 2 ? '' : '/raw'}`),
  );
  await settle(h);
  chainSpec('loaded');
  let loading = true;
  const latencies: number[] = [];
  let rss = 0;
  const probe = probeHome(
    h,
    latencies,
    () => loading,
    () => {
      rss = Math.max(rss, serverRssMb(h));
    },
  );
  const loaded = await timeChain(db, 'loaded');
  loading = false;
  await probe;
  const requests = await readers.stop();
  await stop(h);
  db.close();

  const ratio = loaded / alone;
  const p99 = percentile(latencies, 99);
  console.log('measure                          value     target');
  console.log(`chain of 100 alone (s)       ${alone.toFixed(2).padStart(9)}`);
  console.log(`chain of 100 under load (s)  ${loaded.toFixed(2).padStart(9)}`);
  console.log(`chain ratio                  ${ratio.toFixed(2).padStart(9)}  ≤ ${CHAIN_TARGET}`);
  console.log(`server RSS max (MB)          ${rss.toFixed(0).padStart(9)}  < ${RSS_TARGET_MB}`);
  console.log(
    `/ p50, p99 with the chain alone (ms) ${percentile(quiet, 50).toFixed(1)}, ${percentile(quiet, 99).toFixed(1)}`,
  );
  console.log(`/ p50 under load (ms)        ${percentile(latencies, 50).toFixed(1).padStart(9)}`);
  console.log(`/ p99 under load (ms)        ${p99.toFixed(1).padStart(9)}  < ${P99_TARGET_MS}`);
  console.log(
    `log requests served          ${String(requests).padStart(9)}  (${CLIENTS} clients, raw and pretty of a 50 MB log)`,
  );
  const pass = ratio <= CHAIN_TARGET && rss < RSS_TARGET_MB && p99 < P99_TARGET_MS;
  console.log(`RESULT name=stall ratio=${ratio.toFixed(2)} target=${CHAIN_TARGET} ${pass ? 'pass' : 'fail'}`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
