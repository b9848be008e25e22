// Evaluation speed (issue 16): hydrant's evaluation + registration against `nix-instantiate` of
// the same jobs, which computes and writes every .drv (the work hydrant must do), in the same
// run. Targets: ratio ≤ 1.15 cold and warm; hydrant's peak RSS ≤ 300 MB at 5,000 jobs,
// ≤ 1 GB at 50,000 (`--jobs 50000`).
//
// "cold": a fresh expression into a fresh database — 5,000 new .drv files, 5,000 new builds
// registered, garbage-collector roots included. "warm", the realistic case: the previous
// evaluation is in the database and one job changed, so every job is evaluated again and one
// build is new. nix-instantiate's runs use twins of the same expressions that nobody wrote yet
// (one job changed differently for the warm one), so it writes the same number of new .drv
// files. The `nix-env` columns are for information only: on Nix 2.8 `--json` drops
// `--drv-path`, so that peer computes no derivation at all.
// The .drv files a run writes (four per job: hydrant's cold and warm, nix-instantiate's twins)
// are deleted at the end unless `--keep-paths` is given (bench/_store-paths.ts says why).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { readConfig } from '../core/config.ts';
import { openDatabase } from '../core/db/database.ts';
import { getJobset } from '../core/db/jobsets.ts';
import { migrate } from '../core/db/migrate.ts';
import { GcRoots } from '../core/gc-roots.ts';
import { createLogger } from '../core/log.ts';
import { CliNix } from '../core/nix/cli-nix.ts';
import { optionFlags } from '../core/nix/options.ts';
import { checkJobset } from '../evaluator/check-jobset.ts';
import { syncSpecDir } from '../evaluator/sync-specs.ts';
import { deleteStorePaths, storePathsOf } from './_store-paths.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TARGET_RATIO = 1.15;
const jobsArg = process.argv.indexOf('--jobs');
const JOBS = jobsArg > 0 ? Number(process.argv[jobsArg + 1]) : 5000;
const TARGET_RSS_MB = JOBS > 5000 ? 1024 : 300;
const [A, B, C] = [10, 10, Math.max(1, Math.round(JOBS / 100))]; // three levels deep

/** `changed`: one job (g0.g0.g0) differs by this string: the warm case's one new build. */
function writeExpression(dir: string, nonce: string, changed = ''): void {
  mkdirSync(dir, { recursive: true });
  // recurseForDerivations so that nix-env descends into the nested sets too.
  writeFileSync(
    join(dir, 'release.nix'),
    `{ ... }:
let
  nonce = "${nonce}";
  job = name: derivation { inherit name; system = builtins.currentSystem; builder = "/bin/sh";
    args = [ "-c" "echo \${nonce}\${if name == "j-0-0-0" then "${changed}" else ""} > $out" ]; PATH = "/usr/bin:/bin";
  } // { meta.description = "job \${name}"; };
  level = n: f: builtins.listToAttrs (builtins.genList (i: { name = "g\${toString i}"; value = f i; }) n)
    // { recurseForDerivations = true; };
in level ${A} (a: level ${B} (b: level ${C} (c: job "j-\${toString a}-\${toString b}-\${toString c}")))
`,
  );
}

function run(
  command: string,
  args: string[],
  stderr: 'inherit' | 'ignore' = 'inherit',
): Promise<{ ms: number; stdout: string; code: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', stderr] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - started, stdout, code: code ?? 1 }));
  });
}

/** The peer. Nix 2.8 leaves --drv-path out of --json answers, so it never computes one. */
async function peer(exprDir: string): Promise<{ ms: number; hasDrvPaths: boolean }> {
  const r = await run('nix-env', [
    '-qaP',
    '--json',
    '--drv-path',
    '-f',
    join(exprDir, 'release.nix'),
    ...optionFlags(),
  ]);
  if (r.code !== 0) throw new Error(`nix-env failed (${r.code})`);
  const jobs = Object.values(JSON.parse(r.stdout) as Record<string, { drvPath?: string }>);
  if (jobs.length !== A * B * C) throw new Error(`nix-env found ${jobs.length} jobs, expected ${A * B * C}`);
  return { ms: r.ms, hasDrvPaths: jobs.every((j) => typeof j.drvPath === 'string') };
}

/**
 * Peers that do what hydrant must: nix-env's text answer computes every drv path; nix-instantiate
 * also writes every .drv.
 */
async function nixCommand(
  name: 'nix-env-text' | 'nix-instantiate',
  exprDir: string,
  written: string[] = [],
): Promise<number> {
  const file = join(exprDir, 'release.nix');
  const r =
    name === 'nix-env-text'
      ? await run('nix-env', ['-qaP', '--drv-path', '-f', file, ...optionFlags()])
      : await run('nix-instantiate', [file, ...optionFlags()], 'ignore'); // its only complaint: no --add-root
  if (r.code !== 0) throw new Error(`${name} failed (${r.code})`);
  const drvs = r.stdout.split('\n').filter((l) => /\.drv$/.test(l));
  if (drvs.length !== A * B * C) throw new Error(`${name} printed ${drvs.length} drv paths, expected ${A * B * C}`);
  if (name === 'nix-instantiate') written.push(...drvs);
  return r.ms;
}

interface WorkerResult {
  ms: number;
  fetchMs: number;
  evalMs: number;
  rootsMs: number;
  /** Part of evalMs: roots made while Nix still wrote the .drv files. */
  rootsDuringEvalMs: number;
  maxRssMB: number;
  jobs: number;
}

/** hydrant in its own process, so that its peak RSS is its own; `dir` is its state (kept for the warm run). */
async function hydrant(exprDir: string, dir: string, expectNew: number): Promise<WorkerResult> {
  const r = await run(process.execPath, [
    '--import',
    'tsx',
    new URL(import.meta.url).pathname,
    '--worker',
    exprDir,
    dir,
  ]);
  if (r.code !== 0) throw new Error(`hydrant worker failed (${r.code})`);
  const result = JSON.parse(r.stdout) as WorkerResult & { newBuilds: number };
  if (result.jobs !== A * B * C) throw new Error(`hydrant registered ${result.jobs} jobs, expected ${A * B * C}`);
  if (result.newBuilds !== expectNew)
    throw new Error(`hydrant queued ${result.newBuilds} new builds, expected ${expectNew}`);
  return result;
}

/**
 * One evaluation + registration, as the evaluator does it, into a fresh database in `dir`.
 * The caller deletes `dir` when the bench ends: deleting 5,000 roots and a database keeps
 * the file system's journal busy for seconds, which the next measurement would pay for.
 */
async function worker(exprDir: string, dir: string): Promise<void> {
  const db = openDatabase(join(dir, 'hydrant.sqlite'));
  migrate(db);
  mkdirSync(join(dir, 'jobsets'), { recursive: true });
  writeFileSync(
    join(dir, 'jobsets', 'bench.json'),
    JSON.stringify({
      jobsets: {
        big: {
          nixexprinput: 'src',
          nixexprpath: 'release.nix',
          checkinterval: 0,
          inputs: { src: { type: 'path', value: exprDir } },
        },
      },
    }),
  );
  const log = createLogger('silent');
  const { config } = readConfig([]); // the defaults, as `hydrant start` would run
  const paths = { allowed: [exprDir], stateDir: join(dir, 'state') };
  syncSpecDir(db, join(dir, 'jobsets'), log, paths);
  // Times the two Nix steps and the garbage-collector roots; the rest of the check is hydrant's own
  // work (mostly registration).
  const nix = new CliNix();
  const timed = { fetchMs: 0, evalMs: 0, rootsMs: 0, rootsDuringEvalMs: 0 };
  const timing = <T>(key: keyof typeof timed, p: Promise<T>): Promise<T> => {
    const t = performance.now();
    return p.finally(() => {
      timed[key] += performance.now() - t;
    });
  };
  const timedNix = Object.assign(Object.create(nix) as CliNix, {
    addToStore: (d: string) => timing('fetchMs', nix.addToStore(d)),
    evaluateJobs: (r: Parameters<CliNix['evaluateJobs']>[0]) => {
      evaluating = true;
      return timing('evalMs', nix.evaluateJobs(r)).finally(() => (evaluating = false));
    },
  });
  const buildsBefore = (db.prepare('SELECT coalesce(max(id), 0) AS n FROM builds').get() as { n: number }).n;
  const started = performance.now();
  // The roots go where hydrant puts them by default: on the file system of /nix/store.
  const roots = new GcRoots(join(dir, 'gcroots'));
  // Roots made while Nix still writes (a first evaluation's) are counted apart: they overlap the evaluation.
  let evaluating = false;
  const rootsTimed = <T>(f: () => T): T => {
    const t = performance.now();
    try {
      return f();
    } finally {
      timed[evaluating ? 'rootsDuringEvalMs' : 'rootsMs'] += performance.now() - t;
    }
  };
  const timedRoots = Object.assign(Object.create(roots) as GcRoots, {
    add: (paths: Iterable<string>) => rootsTimed(() => roots.add(paths)),
    renew: (paths: Iterable<string>) => rootsTimed(() => roots.renew(paths)),
  });
  const outcome = await checkJobset(
    {
      db,
      log,
      nix: timedNix,
      stateDir: dir,
      paths,
      restrictEval: { hostPaths: [] },
      roots: timedRoots,
      limits: {
        memoryMiB: config.evalMaxMemoryMiB,
        timeoutSeconds: config.evalTimeoutSeconds,
        workers: config.evalWorkers,
      },
    },
    getJobset(db, 'bench', 'big')!,
  );
  const ms = performance.now() - started;
  if (outcome.kind !== 'evaluated') throw new Error(`evaluation ${outcome.kind}: ${JSON.stringify(outcome)}`);
  const { newBuilds } = db.prepare('SELECT count(*) AS newBuilds FROM builds WHERE id > ?').get(buildsBefore) as {
    newBuilds: number;
  };
  process.stdout.write(
    JSON.stringify({ ms, ...timed, maxRssMB: process.resourceUsage().maxRSS / 1024, jobs: outcome.jobs, newBuilds }),
  );
  db.close();
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (ms: number) => (ms / 1000).toFixed(2).padStart(8);

interface Round {
  peer: number;
  peerHasDrvPaths: boolean;
  envText: number;
  instantiateCold: number;
  instantiateWarm: number;
  cold: WorkerResult;
  warm: WorkerResult;
}

async function main(): Promise<void> {
  const rows: Round[] = [];
  const base = mkdtempSync(join(tmpdir(), 'hydrant-bench-expr-'));
  const instantiated: string[] = [];
  const databases: string[] = [];
  try {
    for (let i = 0; i < ROUNDS; i++) {
      const exprDir = join(base, `round-${i}`);
      const nonce = randomUUID();
      writeExpression(exprDir, nonce);
      const p = await peer(exprDir);
      const envText = await nixCommand('nix-env-text', exprDir);
      const state = mkdtempSync(join(base, 'hydrant-'));
      databases.push(join(state, 'hydrant.sqlite'));
      const cold = await hydrant(exprDir, state, A * B * C);
      writeExpression(exprDir, nonce, 'changed'); // the next commit changes one job
      const warm = await hydrant(exprDir, state, 1);
      // nix-instantiate's runs on twins nobody wrote yet: all new, then one job changed.
      const twinDir = join(base, `round-${i}-twin`);
      const twinNonce = randomUUID();
      writeExpression(twinDir, twinNonce);
      const instantiateCold = await nixCommand('nix-instantiate', twinDir, instantiated);
      writeExpression(twinDir, twinNonce, 'changed');
      const instantiateWarm = await nixCommand('nix-instantiate', twinDir, instantiated);
      rows.push({ peer: p.ms, peerHasDrvPaths: p.hasDrvPaths, envText, instantiateCold, instantiateWarm, cold, warm });
    }
  } finally {
    if (!process.argv.includes('--keep-paths'))
      deleteStorePaths([...new Set([...storePathsOf(databases), ...instantiated])]);
    rmSync(base, { recursive: true, force: true });
  }
  const med = (f: (r: Round) => number) => median(rows.map(f));
  console.log(
    `eval: ${A * B * C} jobs nested three deep, ${ROUNDS} rounds (seconds; RSS of the hydrant process in MB)`,
  );
  console.log(
    '"cold": no .drv of the expression is in the store yet, fresh database; "warm": ' +
      'the previous evaluation in the database, one job changed.',
  );
  console.log('round  nix-env --json  nix-env --drv-path  nix-instantiate cold/warm  hydrant cold/warm  rss cold/warm');
  rows.forEach((r, i) =>
    console.log(
      `${String(i + 1).padStart(5)}  ${fmt(r.peer)}        ${fmt(r.envText)}            ` +
        `${fmt(r.instantiateCold)} ${fmt(r.instantiateWarm)}   ${fmt(r.cold.ms)} ` +
        `${fmt(r.warm.ms)}   ${r.cold.maxRssMB.toFixed(0).padStart(5)} ` +
        `${r.warm.maxRssMB.toFixed(0).padStart(5)}`,
    ),
  );
  const part = (r: WorkerResult) =>
    `fetch ${fmt(r.fetchMs)} eval ${fmt(r.evalMs)} gc roots ${fmt(r.rootsMs)} ` +
    `(+${fmt(r.rootsDuringEvalMs).trim()} during eval) rest ${fmt(r.ms - r.fetchMs - r.evalMs - r.rootsMs)}`;
  rows.forEach((r, i) => console.log(`round ${i + 1} hydrant cold: ${part(r.cold)}   warm: ${part(r.warm)}`));
  const peerMs = med((r) => r.peer);
  const coldMs = med((r) => r.cold.ms);
  const warmMs = med((r) => r.warm.ms);
  const rss = Math.max(...rows.flatMap((r) => [r.cold.maxRssMB, r.warm.maxRssMB]));
  const ratio = (a: number, b: number) => (a / b).toFixed(2);
  console.log(`median ratios (hydrant / peer), cold and warm:`);
  console.log(
    `  nix-env -qaP --json --drv-path (the issue's peer; its JSON has drv paths: ` +
      `${rows.every((r) => r.peerHasDrvPaths) ? 'yes' : 'no, Nix 2.8 computes none'}): ` +
      `${ratio(coldMs, peerMs)}  ${ratio(warmMs, peerMs)}`,
  );
  console.log(
    `  nix-env -qaP --drv-path (computes every drv path, writes none):          ${ratio(
      coldMs,
      med((r) => r.envText),
    )}  ${ratio(
      warmMs,
      med((r) => r.envText),
    )}`,
  );
  console.log(
    `  nix-instantiate (computes and writes every .drv, as hydrant must):        ${ratio(
      coldMs,
      med((r) => r.instantiateCold),
    )}  ${ratio(
      warmMs,
      med((r) => r.instantiateWarm),
    )}`,
  );
  console.log(`peak RSS ${rss.toFixed(0)} MB (target ≤ ${TARGET_RSS_MB})`);
  const coldRatio = coldMs / med((r) => r.instantiateCold);
  const warmRatio = warmMs / med((r) => r.instantiateWarm);
  const result = Math.max(coldRatio, warmRatio);
  const pass = result <= TARGET_RATIO && rss <= TARGET_RSS_MB;
  console.log(
    `hydrant ÷ nix-instantiate: cold ${coldRatio.toFixed(2)}, ` +
      `warm ${warmRatio.toFixed(2)} (target ≤ ${TARGET_RATIO} each)`,
  );
  console.log(`RESULT name=eval ratio=${result.toFixed(2)} target=${TARGET_RATIO} ${pass ? 'pass' : 'fail'}`);
}

if (process.argv[2] === '--worker') await worker(process.argv[3]!, process.argv[4]!);
else await main();
