// Profiling harness (not a benchmark): runs hydrant's side of bench/queue for one shape and
// reports hydrant's own CPU time per step, SQLite statements per step and Nix process spawns.
import childProcess from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const spawns = new Map<string, number>();
const origSpawn = childProcess.spawn;
(childProcess as { spawn: unknown }).spawn = (cmd: string, ...rest: unknown[]) => {
  spawns.set(cmd, (spawns.get(cmd) ?? 0) + 1);
  return (origSpawn as (...a: unknown[]) => unknown)(cmd, ...rest);
};
syncBuiltinESMExports();

const { readConfig } = await import('../core/config.ts');
const { openDatabase } = await import('../core/db/database.ts');
const { registerEvaluation } = await import('../core/db/evals.ts');
const { upsertJobsetFromSpec } = await import('../core/db/jobsets.ts');
const { migrate } = await import('../core/db/migrate.ts');
const { upsertProject } = await import('../core/db/projects.ts');
const { createLogger } = await import('../core/log.ts');
const { CliNix } = await import('../core/nix/cli-nix.ts');
const { createQueueRunner } = await import('../queue-runner/index.ts');
const { closuresOf, deleteStorePaths } = await import('./_store-paths.ts');

const shape = process.argv[2] ?? 'chain';
const n = Number(process.argv[3] ?? (shape === 'chain' ? 100 : 500));
const root = mkdtempSync(join(tmpdir(), 'hydrant-prof-queue-'));
const nonce = randomBytes(6).toString('hex');
const mk =
  `(name: script: derivation { inherit name; system = builtins.currentSystem; builder = "/bin/sh"; ` +
  `PATH = "/usr/bin:/bin"; args = [ "-c" ("# ${nonce}\\n" + script) ]; })`;
const body =
  shape === 'chain'
    ? `{ top = builtins.foldl' (prev: i: mk "chain-\${toString i}" "cat \${prev} > $out; ` +
      `echo \${toString i} >> $out") (mk "chain-0" "echo 0 > $out") ` +
      `(builtins.genList (i: i + 1) ${n - 1}); }`
    : `builtins.listToAttrs (builtins.genList (i: { name = "d\${toString i}"; ` +
      `value = mk "ind-\${toString i}" "echo \${toString i} > $out"; }) ${n})`;
const exprPath = join(root, 'e.nix');
writeFileSync(exprPath, `{ }: ${body.replace(/mk/g, mk)}`);
const stateDir = join(root, 'state');
mkdirSync(stateDir, { recursive: true });
const machines = join(root, 'machines');
writeFileSync(machines, 'localhost x86_64-linux,i686-linux - 2 1 nixos-test,benchmark,big-parallel\n');
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
    name: shape,
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
const nix = new CliNix();
const { jobs } = await nix.evaluateJobs({ exprPath, args: {} });
registerEvaluation(db, {
  jobsetId,
  inputsHash: shape,
  checkoutSeconds: 0,
  evalSeconds: 0,
  nixexprinput: 'x',
  nixexprpath: exprPath,
  inputs: [],
  jobs,
  errors: [],
});

const counts = new Map<string, number>();
const times = new Map<string, number>();
const proto = Object.getPrototypeOf(db.prepare('SELECT 1')) as Record<string, (...a: unknown[]) => unknown>;
for (const m of process.env.PROF_SQL === '0' ? [] : ['run', 'get', 'all', 'iterate']) {
  const orig = proto[m]!;
  proto[m] = function (this: { source: string }, ...a: unknown[]) {
    const key = this.source.replace(/\s+/g, ' ').slice(0, 90);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const t = performance.now();
    try {
      return orig.apply(this, a);
    } finally {
      times.set(key, (times.get(key) ?? 0) + performance.now() - t);
    }
  };
}
// Each build's request and answer times: the gaps between one answer and the next request are
// hydrant's part of a chain's critical path.
const { ServeConnection } = await import('../core/nix/serve-connection.ts');
const builds: { sent: number; answered: number }[] = [];
const buildProto = ServeConnection.prototype as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
const origBuild = buildProto['buildDerivation']!;
buildProto['buildDerivation'] = async function (this: unknown, ...a: unknown[]) {
  const entry = { sent: performance.now(), answered: 0 };
  builds.push(entry);
  try {
    return await origBuild.apply(this, a);
  } finally {
    entry.answered = performance.now();
  }
};
// Marks for a finer timeline: put `(globalThis as any).__t?.('label')` into the code for a run (never committed).
const marks: [string, number][] = [];
(globalThis as { __t?: (l: string) => void }).__t = (l) => marks.push([l, performance.now()]);
const config = readConfig(
  ['--state-dir', stateDir, '--machines', machines, '--gc-roots-dir', join(stateDir, 'gcroots')],
  {},
).config;
const runner = createQueueRunner(config, { log: createLogger('warn'), db, nix });
spawns.clear();
existsSync('/MARK-START');
const profiler = process.env.PROF_CPU ? await startProfiler() : null;
const threads0 = threadTimes();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await runner.runOnce();
const wall = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const threads1 = threadTimes();
existsSync('/MARK-END');
if (profiler) await profiler.stop(process.env.PROF_CPU!);
await runner.stop();
const { bad } = db.prepare('SELECT count(*) AS bad FROM builds WHERE finished = 0 OR buildstatus != 0').get() as {
  bad: number;
};
const steps = (db.prepare('SELECT count(*) AS c FROM build_steps WHERE propagatedfrom IS NULL').get() as { c: number })
  .c;
const made = (db.prepare('SELECT drvpath FROM builds').all() as { drvpath: string }[]).map((r) => r.drvpath);
db.close();
rmSync(root, { recursive: true, force: true });
if (!process.argv.includes('--keep-paths')) deleteStorePaths(closuresOf(made));
const total = [...counts.values()].reduce((a, b) => a + b, 0);
console.log(`shape=${shape} n=${n} steps=${steps} bad=${bad} wall=${wall.toFixed(2)}s`);
console.log(
  `hydrant cpu: user ${(cpu.user / 1000).toFixed(0)} ms, ` +
    `system ${(cpu.system / 1000).toFixed(0)} ms; ` +
    `per step ${((cpu.user + cpu.system) / 1000 / steps).toFixed(2)} ms`,
);
const byName = new Map<string, [number, number]>();
for (const [tid, t] of threads1) {
  const before = threads0.get(tid) ?? { name: t.name, user: 0, system: 0 };
  const acc = byName.get(t.name) ?? [0, 0];
  byName.set(t.name, [acc[0] + t.user - before.user, acc[1] + t.system - before.system]);
}
console.log(
  'threads (user/system ms):',
  [...byName]
    .filter(([, v]) => v[0] + v[1] > 0)
    .map(([k, v]) => `${k} ${v[0]}/${v[1]}`)
    .join(', '),
);
console.log(
  `sqlite statements: ${total}, ${[...times.values()].reduce((a, b) => a + b, 0).toFixed(0)} ms ` +
    `(${(total / steps).toFixed(1)} per step)`,
);
for (const [k, v] of [...counts].sort((a, b) => b[1] - a[1]))
  console.log(`  ${String(v).padStart(6)} ${(times.get(k) ?? 0).toFixed(0).padStart(6)} ms  ${k}`);
console.log('spawns:', JSON.stringify(Object.fromEntries(spawns)));
if (marks.length) {
  // Per step: each mark's time after the previous answer (A-status), median.
  const per = new Map<string, number[]>();
  let base = 0;
  for (const [l, t] of marks) {
    if (l === 'A-status') base = t;
    if (!base) continue;
    (per.get(l) ?? per.set(l, []).get(l)!).push(t - base);
  }
  for (const [l, xs] of [...per].sort((a, b) => a[0].localeCompare(b[0]))) {
    xs.sort((a, b) => a - b);
    console.log(
      `  mark ${l}: median ${xs[Math.floor(xs.length / 2)]!.toFixed(3)} ms after the answer (n=${xs.length})`,
    );
  }
}
if (builds.length) {
  const ms = (x: number) => x.toFixed(2);
  const builtMs = builds.map((b) => b.answered - b.sent).sort((a, b) => a - b);
  const gaps = builds
    .slice(1)
    .map((b, i) => b.sent - builds[i]!.answered)
    .sort((a, b) => a - b);
  const q = (xs: number[], f: number) => xs[Math.min(xs.length - 1, Math.floor(xs.length * f))] ?? 0;
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  console.log(
    `builds over nix-store --serve: ${builds.length}, median ${ms(q(builtMs, 0.5))} ms, ` +
      `total ${ms(sum(builtMs))} ms`,
  );
  console.log(
    `answer -> next request: median ${ms(q(gaps, 0.5))} ms, p90 ${ms(q(gaps, 0.9))} ms, max ${ms(q(gaps, 1))} ms, ` +
      `total ${ms(sum(gaps))} ms (meaningful for a chain)`,
  );
  console.log(
    `start -> first request ${ms(builds[0]!.sent - t0)} ms; last answer -> end ` +
      `${ms(t0 + wall * 1000 - builds.at(-1)!.answered)} ms`,
  );
}

/** The V8 CPU profile of the measured run only (PROF_CPU=FILE), not of the set-up. */
async function startProfiler(): Promise<{ stop(file: string): Promise<void> }> {
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return {
    async stop(file: string) {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

/** CPU time of each of this process's threads (ms), from /proc. */
function threadTimes(): Map<string, { name: string; user: number; system: number }> {
  const tick = 10; // USER_HZ = 100
  const out = new Map<string, { name: string; user: number; system: number }>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(tid, {
        name: tid === String(process.pid) ? 'main' : name,
        user: Number(fields[11]) * tick,
        system: Number(fields[12]) * tick,
      });
    } catch {
      /* thread ended */
    }
  }
  return out;
}
