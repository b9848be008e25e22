// bench/queue: hydrant's queue runner (local machine, maxJobs 2) against `nix-store
// --realise -j 2` of the same shapes of derivations: 500 independent trivial ones, and a
// chain of 100. Each side gets its own fresh derivations (a nonce), so both really build.
// Each shape runs BENCH_ROUNDS times (3), the peer and hydrant in turn, and the medians are compared.
// Beside the wall times it prints CPU time per step: hydrant's own process (what hydrant
// adds; far less sensitive to a loaded machine than wall time) and the peer's nix-store with
// its builders (what Nix itself costs a step).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readConfig } from '../core/config.ts';
import { openDatabase } from '../core/db/database.ts';
import { registerEvaluation } from '../core/db/evals.ts';
import { upsertJobsetFromSpec } from '../core/db/jobsets.ts';
import { migrate } from '../core/db/migrate.ts';
import { upsertProject } from '../core/db/projects.ts';
import { createLogger } from '../core/log.ts';
import { CliNix } from '../core/nix/cli-nix.ts';
import { nixEnv, optionFlags } from '../core/nix/options.ts';
import { createQueueRunner } from '../queue-runner/index.ts';
import { closuresOf, deleteStorePaths } from './_store-paths.ts';

/** Issue 16's targets, wall time over the peer's. */
const TARGETS = { independent: 1.0, chain: 1.15 } as const;
const root = mkdtempSync(join(tmpdir(), 'hydrant-bench-queue-'));
const nix = new CliNix();
/** The derivations each side evaluated: their closures are deleted at the end (bench/_store-paths.ts says why). */
const made: string[] = [];

const shapes = {
  independent: (nonce: string) =>
    (
      `builtins.listToAttrs (builtins.genList (i: { name = "d\${toString i}"; ` +
      `value = mk "ind-\${toString i}" "echo \${toString i} > $out"; }) 500)`
    ).replace(/mk/g, mkFn(nonce)),
  chain: (nonce: string) =>
    (
      `{ top = builtins.foldl' (prev: i: mk "chain-\${toString i}" "cat \${prev} > $out; ` +
      `echo \${toString i} >> $out") (mk "chain-0" "echo 0 > $out") ` +
      `(builtins.genList (i: i + 1) 99); }`
    ).replace(/mk/g, mkFn(nonce)),
};

function mkFn(nonce: string): string {
  return (
    `(name: script: derivation { inherit name; system = builtins.currentSystem; ` +
    `builder = "/bin/sh"; PATH = "/usr/bin:/bin"; args = [ "-c" ("# ${nonce}\\n" + script) ]; })`
  );
}

function writeExpr(name: string, body: string): string {
  const file = join(root, `${name}.nix`);
  writeFileSync(file, `{ }: ${body}`);
  return file;
}

interface Run {
  seconds: number;
  cpuMs: number;
  steps: number;
}

async function peer(shape: keyof typeof shapes): Promise<Run> {
  const { jobs } = await nix.evaluateJobs({
    exprPath: writeExpr(`peer-${shape}`, shapes[shape](randomBytes(6).toString('hex'))),
    args: {},
  });
  made.push(...jobs.map((j) => j.drvPath));
  const started = performance.now();
  // The shell reports its waited-for children's CPU time (nix-store and the builders it waited for).
  const args = ['--realise', '-j', '2', ...optionFlags(), ...jobs.map((j) => j.drvPath)];
  const script = 'nix-store "$@" > /dev/null 2>&1 || echo "nix-store failed: $?" >&2; cat /proc/$$/stat';
  const stat = execFileSync('sh', ['-c', script, 'sh', ...args], {
    env: nixEnv(),
    maxBuffer: 1 << 26,
    stdio: ['ignore', 'pipe', 'inherit'],
  }).toString();
  const seconds = (performance.now() - started) / 1000;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[13]) + Number(fields[14]);
  return { seconds, cpuMs: ticks * 10, steps: shape === 'chain' ? 100 : 500 };
}

async function hydrant(shape: keyof typeof shapes, round: number): Promise<Run> {
  const stateDir = join(root, `state-${shape}-${round}`);
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
  const exprPath = writeExpr(`hydrant-${shape}`, shapes[shape](randomBytes(6).toString('hex')));
  const { jobs } = await nix.evaluateJobs({ exprPath, args: {} });
  made.push(...jobs.map((j) => j.drvPath));
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
  const config = readConfig(
    ['--state-dir', stateDir, '--machines', machines, '--gc-roots-dir', join(stateDir, 'gcroots')],
    {},
  ).config;
  const runner = createQueueRunner(config, { log: createLogger('warn'), db });
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  await runner.runOnce();
  const cpu = process.cpuUsage(cpu0);
  const seconds = (performance.now() - started) / 1000;
  await runner.stop();
  const { bad } = db.prepare('SELECT count(*) AS bad FROM builds WHERE finished = 0 OR buildstatus != 0').get() as {
    bad: number;
  };
  if (bad) throw new Error(`${bad} builds did not succeed`);
  const { steps } = db.prepare('SELECT count(*) AS steps FROM build_steps WHERE propagatedfrom IS NULL').get() as {
    steps: number;
  };
  db.close();
  return { seconds, cpuMs: (cpu.user + cpu.system) / 1000, steps };
}

/**
 * Rounds per shape, the peer and hydrant taking turns; each side's median round is compared.
 * A step of the chain takes Nix 4–5 ms here, so one round moves by 10% with the machine.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const rows: { shape: keyof typeof shapes; hydrant: Run; peer: Run; ratio: number; rounds: string }[] = [];
const only = process.argv.slice(2).filter((a): a is keyof typeof shapes => a in shapes);
const median = (runs: Run[]) => [...runs].sort((a, b) => a.seconds - b.seconds)[Math.floor(runs.length / 2)]!;
try {
  for (const shape of only.length ? only : (Object.keys(shapes) as (keyof typeof shapes)[])) {
    const peers: Run[] = [];
    const ours: Run[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      peers.push(await peer(shape));
      ours.push(await hydrant(shape, i));
    }
    const [p, h] = [median(peers), median(ours)];
    const rounds = ours.map((o, i) => `${o.seconds.toFixed(2)}/${peers[i]!.seconds.toFixed(2)}`).join(' ');
    rows.push({ shape, hydrant: h, peer: p, ratio: h.seconds / p.seconds, rounds });
  }
} finally {
  rmSync(root, { recursive: true, force: true });
  // Before the report, so that its RESULT line is the output's last (npm run bench reads it there).
  if (!process.argv.includes('--keep-paths')) deleteStorePaths(closuresOf(made));
}
const perStep = (r: Run) => (r.cpuMs / r.steps).toFixed(2);
console.log(`${ROUNDS} rounds each; medians below. Rounds, hydrant/peer seconds:`);
for (const r of rows) console.log(`  ${r.shape}: ${r.rounds}`);
console.log(
  'shape         hydrant (s)  nix-store -j2 (s)  ratio  target  hydrant own CPU/step (ms)  ' +
    'nix-store+builders CPU/step (ms)',
);
for (const r of rows) {
  console.log(
    `${r.shape.padEnd(14)}${r.hydrant.seconds.toFixed(2).padStart(11)}  ` +
      `${r.peer.seconds.toFixed(2).padStart(17)}  ${r.ratio.toFixed(2).padStart(5)}  ` +
      `${`≤ ${TARGETS[r.shape]}`.padStart(6)}  ${perStep(r.hydrant).padStart(25)}  ` +
      `${perStep(r.peer).padStart(32)}`,
  );
}
// The issue's targets differ per shape: the RESULT ratio is the worst of ratio ÷ target (pass when ≤ 1).
const worst = rows.reduce((w, r) => (r.ratio / TARGETS[r.shape] > w.ratio / TARGETS[w.shape] ? r : w));
const pass = rows.every((r) => r.ratio <= TARGETS[r.shape]);
console.log(
  `RESULT name=queue ratio=${worst.ratio.toFixed(2)} target=${TARGETS[worst.shape]} ${pass ? 'pass' : 'fail'}`,
);
