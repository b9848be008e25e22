// bench/big-queue: the queue runner started on 100,000 queued builds of trivial derivations
// (Hydra #212: 88 s between "starting" and the first build with 140k pending). Measures the
// time from start() to the first step handed to Nix (target ≤ 2 s), the rate at which the
// first steps are dispatched against the rate of a queue of 500 in the same run (target
// ≥ 90%), and the process's peak RSS (target ≤ 500 MB). The queues are seeded by a child
// process (nix-instantiate + registerEvaluation), so the measured process holds only the
// queue runner. `--builds N` (default 100000), `--sample K` steps timed (default 1000): the
// big queue's rate is the median of its first three windows of K steps (all while the queue
// is still being taken in), as the 500-build queue's is the median of three queues.
// Each run writes N new .drv files to the store (about 0.5 kB each): the steps must really build.
// They and their outputs are deleted at the end (minutes) unless `--keep-paths` is given.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { readConfig } from '../core/config.ts';
import { openDatabase } from '../core/db/database.ts';
import { registerEvaluation } from '../core/db/evals.ts';
import { upsertJobsetFromSpec } from '../core/db/jobsets.ts';
import { migrate } from '../core/db/migrate.ts';
import { upsertProject } from '../core/db/projects.ts';
import { GcRoots } from '../core/gc-roots.ts';
import { createLogger } from '../core/log.ts';
import { CliNix } from '../core/nix/cli-nix.ts';
import type { SshTarget } from '../core/nix/machines.ts';
import type { BuildConnection } from '../core/nix/nix.ts';
import { createQueueRunner } from '../queue-runner/index.ts';
import { deleteStorePaths, storePathsOf } from './_store-paths.ts';

const START_TARGET_S = 2;
const RATE_TARGET = 0.9;
const RSS_TARGET_MB = 500;
/** Steps at once on the bench's one machine (as bench/queue's `nix-store --realise -j2`). */
const SLOTS = 2;

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};

/** Child process: queues `n` trivial derivations in a fresh state dir. */
async function seed(stateDir: string, n: number): Promise<void> {
  const nonce = randomBytes(6).toString('hex');
  const expr = join(stateDir, 'queue.nix');
  writeFileSync(
    expr,
    `{ }: builtins.listToAttrs (builtins.genList (i: { name = "d\${toString i}"; value = derivation {
    name = "big-\${toString i}"; system = builtins.currentSystem; builder = "/bin/sh"; PATH = "/usr/bin:/bin";
    args = [ "-c" "# ${nonce}\\necho \${toString i} > $out" ]; }; }) ${n})`,
  );
  const db = openDatabase(join(stateDir, 'hydrant.sqlite'));
  migrate(db);
  upsertProject(db, {
    name: 'bench',
    displayname: 'bench',
    description: '',
    homepage: '',
    enabled: true,
    hidden: false,
    owner: '',
    spec_source: '',
  });
  const jobsetId = upsertJobsetFromSpec(
    db,
    'bench',
    {
      name: 'q',
      enabled: 1,
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
  const { jobs, errors } = await new CliNix().evaluateJobs({ exprPath: expr, args: {}, timeoutSeconds: 3600 });
  if (errors.length || jobs.length !== n) throw new Error(`seeding: ${jobs.length} jobs, ${errors.length} errors`);
  const { newDrvPaths } = registerEvaluation(db, {
    jobsetId,
    inputsHash: nonce,
    checkoutSeconds: 0,
    evalSeconds: 0,
    nixexprinput: 'x',
    nixexprpath: expr,
    inputs: [],
    jobs,
    errors: [],
  });
  new GcRoots(join(stateDir, 'gcroots')).add(newDrvPaths); // as the evaluator does
  db.close();
}

/** CliNix that notes when each build is handed to Nix and when it comes back. */
class TimedNix extends CliNix {
  readonly started: number[] = [];
  readonly ended: number[] = [];
  /** This process's CPU time (µs, all its threads) when the first step was handed to Nix. */
  cpuAtFirst: NodeJS.CpuUsage | null = null;

  override async openBuildConnection(on: SshTarget | null, options?: Record<string, string>): Promise<BuildConnection> {
    const conn = await super.openBuildConnection(on, options);
    const build = conn.build.bind(conn);
    conn.build = async (...a) => {
      this.cpuAtFirst ??= process.cpuUsage();
      this.started.push(performance.now());
      const result = await build(...a);
      this.ended.push(performance.now());
      return result;
    };
    return conn;
  }
}

interface Measured {
  firstStepSeconds: number;
  /** Steps per second: the median of the windows' rates. */
  rate: number;
  /** Each window's: K steps from the first step handed to Nix (the first window) or the previous window's end. */
  windowRates: number[];
  /** Where the sample's time went: Nix's build of a step (request to answer), and machine slots left idle. */
  buildMs: { p50: number; p90: number };
  idleSlotShare: number;
  /** The queue runner's CPU time (its process, every thread) per step of the sample. */
  runnerCpuMsPerStep: number;
  allTakenInSeconds: number | null;
  seconds: number;
  rssMb: number;
}

/** Starts the runner as `hydrant queue-runner` does and times the first `windows` × `sample` steps. */
async function measure(root: string, name: string, builds: number, sample: number, windows = 1): Promise<Measured> {
  const stateDir = join(root, name);
  mkdirSync(stateDir, { recursive: true });
  const seeded = spawnSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--seed', stateDir, String(builds)],
    { stdio: 'inherit' },
  );
  if (seeded.status !== 0) throw new Error(`seeding ${name} failed`);
  const machines = join(root, 'machines');
  writeFileSync(machines, `localhost x86_64-linux,i686-linux - ${SLOTS} 1 benchmark,big-parallel\n`);
  const config = readConfig(
    ['--state-dir', stateDir, '--machines', machines, '--gc-roots-dir', join(stateDir, 'gcroots')],
    {},
  ).config;
  const nix = new TimedNix();
  const started = performance.now();
  let allTakenIn: number | null = null;
  const logs = new Writable({
    write(chunk: Buffer, _enc, done) {
      if (chunk.toString().includes('all queued builds taken in')) allTakenIn ??= performance.now();
      done();
    },
  });
  const runner = createQueueRunner(config, { log: createLogger('info', logs), nix });
  runner.start();
  const want = Math.min(sample * windows, builds);
  while (nix.ended.length < want) await new Promise((r) => setTimeout(r, 20));
  const cpu = process.cpuUsage(nix.cpuAtFirst!);
  // RSS counts once the whole queue is in the runner's graph (it goes on building meanwhile).
  while (allTakenIn === null && performance.now() - started < 600_000) await new Promise((r) => setTimeout(r, 100));
  const memory = process.memoryUsage();
  const rssMb = memory.rss / 2 ** 20;
  const mb = (n: number) => `${(n / 2 ** 20).toFixed(0)} MB`;
  console.log(
    `${name}: memory with the queue taken in: rss ${mb(memory.rss)}, V8 heap ${mb(memory.heapUsed)} used of ` +
      `${mb(memory.heapTotal)}, external ${mb(memory.external)} (array buffers ${mb(memory.arrayBuffers)})`,
  );
  const ended = performance.now();
  await runner.stop();
  const first = nix.started[0]!;
  const window = nix.ended[want - 1]! - first;
  const windowRates: number[] = [];
  for (let from = 0; from < want; from += sample) {
    const to = Math.min(from + sample, want);
    windowRates.push((to - from) / ((nix.ended[to - 1]! - (from === 0 ? first : nix.ended[from - 1]!)) / 1000));
  }
  return {
    firstStepSeconds: (first - started) / 1000,
    rate: [...windowRates].sort((a, b) => a - b)[Math.floor((windowRates.length - 1) / 2)]!,
    windowRates,
    ...whereTimeWent(nix.started.slice(0, want), nix.ended.slice(0, want), window),
    runnerCpuMsPerStep: (cpu.user + cpu.system) / 1000 / want,
    allTakenInSeconds: allTakenIn === null ? null : (allTakenIn - started) / 1000,
    seconds: (ended - started) / 1000,
    rssMb,
  };
}

/**
 * The sample's steps: how long Nix took for each (its build, the answer's way back) and the
 * share of the machine's slots left without a step. A slower rate with the same idle
 * share is Nix running slower beside the queue runner, not the dispatch.
 */
function whereTimeWent(
  started: number[],
  ended: number[],
  window: number,
): Pick<Measured, 'buildMs' | 'idleSlotShare'> {
  const took = started.map((s, i) => ended[i]! - s).sort((a, b) => a - b);
  const at = (q: number) => took[Math.floor(q * (took.length - 1))]!;
  const events = [...started.map((t) => [t, 1] as const), ...ended.map((t) => [t, -1] as const)].sort(
    (a, b) => a[0] - b[0],
  );
  let idle = 0;
  let running = 0;
  let last = events[0]![0];
  for (const [t, change] of events) {
    idle += (t - last) * Math.max(0, SLOTS - running);
    running += change;
    last = t;
  }
  return { buildMs: { p50: at(0.5), p90: at(0.9) }, idleSlotShare: idle / (SLOTS * window) };
}

if (process.argv[2] === '--seed') {
  await seed(process.argv[3]!, Number(process.argv[4]));
} else {
  const builds = arg('--builds', 100_000);
  const sample = arg('--sample', 1000);
  const root = mkdtempSync(join(tmpdir(), 'hydrant-bench-big-queue-'));
  let cleaned = false;
  // Before the report, so that its RESULT line is the output's last (npm run bench reads it there).
  const cleanUp = () => {
    if (cleaned || process.argv.includes('--keep-paths')) return;
    cleaned = true;
    deleteStorePaths(
      storePathsOf(['small-0', 'small-1', 'small-2', 'big'].map((n) => join(root, n, 'hydrant.sqlite'))),
    );
  };
  try {
    // The 500-build queue is measured three times and its median rate taken: a single run of
    // 500 trivial steps moves by a quarter with the machine, and it is the ratio's denominator.
    const smalls: Measured[] = [];
    for (let i = 0; i < 3; i++) smalls.push(await measure(root, `small-${i}`, 500, 500));
    const small = [...smalls].sort((a, b) => a.rate - b.rate)[1]!;
    console.log(`500-build queue, steps/s in three runs: ${smalls.map((m) => m.rate.toFixed(1)).join(', ')}`);
    const rssBefore = process.memoryUsage().rss;
    const big = await measure(root, 'big', builds, sample, 3);
    const peakMb = process.resourceUsage().maxRSS / 1024;
    cleanUp();
    const ratio = big.rate / small.rate;
    console.log(
      `queue        builds  first step (s)  steps/s  Nix's build p50/p90 (ms)  slots idle  runner CPU/step (ms)  ` +
        `all taken in (s)`,
    );
    for (const [label, m, n] of [
      ['500', small, 500],
      ['big', big, builds],
    ] as const) {
      const allTaken =
        m.allTakenInSeconds === null
          ? `not yet (${m.seconds.toFixed(0)} s)`
          : m.allTakenInSeconds.toFixed(1).padStart(16);
      const nixMs = `${m.buildMs.p50.toFixed(1)} / ${m.buildMs.p90.toFixed(1)}`;
      console.log(
        `${label.padEnd(10)}${String(n).padStart(8)}  ` +
          `${m.firstStepSeconds.toFixed(2).padStart(14)}  ${m.rate.toFixed(1).padStart(7)}  ` +
          `${nixMs.padStart(24)}  ${(m.idleSlotShare * 100).toFixed(1).padStart(9)}%  ` +
          `${m.runnerCpuMsPerStep.toFixed(2).padStart(20)}  ${allTaken}`,
      );
    }
    console.log(
      `big queue, steps/s in its first three windows of ${sample} steps: ` +
        `${big.windowRates.map((r) => r.toFixed(1)).join(', ')}`,
    );
    console.log(
      `dispatch rate, big ÷ 500 (medians): ${ratio.toFixed(2)} (target ≥ ${RATE_TARGET}); ` +
        `first window alone ${(big.windowRates[0]! / small.rate).toFixed(2)}`,
    );
    console.log(
      `RSS with all ${builds} builds taken in: ${big.rssMb.toFixed(0)} MB, ` +
        `peak ${peakMb.toFixed(0)} MB (target ≤ ${RSS_TARGET_MB}; ` +
        `${(rssBefore / 2 ** 20).toFixed(0)} MB before the big queue)`,
    );
    console.log(
      `first step of the big queue after ${big.firstStepSeconds.toFixed(2)} s (target ≤ ${START_TARGET_S} s)`,
    );
    const pass = big.firstStepSeconds <= START_TARGET_S && ratio >= RATE_TARGET && peakMb <= RSS_TARGET_MB;
    console.log(
      `RESULT name=big-queue ratio=${big.firstStepSeconds.toFixed(2)} target=${START_TARGET_S} ` +
        `${pass ? 'pass' : 'fail'}`,
    );
  } finally {
    cleanUp();
    rmSync(root, { recursive: true, force: true });
  }
}
