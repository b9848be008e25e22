// bench/queue: hydrant's queue runner (local machine, maxJobs 2) against `nix-store
// --realise -j 2` of the same shapes of derivations: 500 independent trivial ones, and a
// chain of 100. Each side gets its own fresh derivations (a nonce), so both really build.
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

const TARGET = 1.2;
const root = mkdtempSync(join(tmpdir(), 'hydrant-bench-queue-'));
const nix = new CliNix();

const shapes = {
  independent: (nonce: string) => `builtins.listToAttrs (builtins.genList (i: { name = "d\${toString i}"; value = mk "ind-\${toString i}" "echo \${toString i} > $out"; }) 500)`
    .replace(/mk/g, mkFn(nonce)),
  chain: (nonce: string) => `{ top = builtins.foldl' (prev: i: mk "chain-\${toString i}" "cat \${prev} > $out; echo \${toString i} >> $out") (mk "chain-0" "echo 0 > $out") (builtins.genList (i: i + 1) 99); }`
    .replace(/mk/g, mkFn(nonce)),
};

function mkFn(nonce: string): string {
  return `(name: script: derivation { inherit name; system = builtins.currentSystem; builder = "/bin/sh"; PATH = "/usr/bin:/bin"; args = [ "-c" ("# ${nonce}\\n" + script) ]; })`;
}

function writeExpr(name: string, body: string): string {
  const file = join(root, `${name}.nix`);
  writeFileSync(file, `{ }: ${body}`);
  return file;
}

async function peer(shape: keyof typeof shapes): Promise<number> {
  const { jobs } = await nix.evaluateJobs({ exprPath: writeExpr(`peer-${shape}`, shapes[shape](randomBytes(6).toString('hex'))), args: {} });
  const started = performance.now();
  execFileSync('nix-store', ['--realise', '-j', '2', ...optionFlags(), ...jobs.map((j) => j.drvPath)], { env: nixEnv(), stdio: 'ignore', maxBuffer: 1 << 26 });
  return (performance.now() - started) / 1000;
}

async function hydrant(shape: keyof typeof shapes): Promise<number> {
  const stateDir = join(root, `state-${shape}`);
  mkdirSync(stateDir, { recursive: true });
  const machines = join(root, 'machines');
  writeFileSync(machines, 'localhost x86_64-linux,i686-linux - 2 1 nixos-test,benchmark,big-parallel\n');
  const db = openDatabase(join(stateDir, 'hydrant.sqlite'));
  migrate(db);
  upsertProject(db, { name: 'bench', displayname: 'bench', description: '', homepage: '', enabled: true, hidden: false, owner: '', spec_source: '' });
  const jobsetId = upsertJobsetFromSpec(db, 'bench', { name: shape, enabled: 1, hidden: false, description: '', nixexprinput: 'x', nixexprpath: 'x', checkinterval: 0, schedulingshares: 100, enableemail: false, emailoverride: '', keepnr: 3, inputs: [] }, '');
  const exprPath = writeExpr(`hydrant-${shape}`, shapes[shape](randomBytes(6).toString('hex')));
  const { jobs } = await nix.evaluateJobs({ exprPath, args: {} });
  registerEvaluation(db, { jobsetId, inputsHash: shape, checkoutSeconds: 0, evalSeconds: 0, nixexprinput: 'x', nixexprpath: exprPath, inputs: [], jobs, errors: [] });
  const config = readConfig(['--state-dir', stateDir, '--machines', machines, '--gc-roots-dir', join(stateDir, 'gcroots')], {}).config;
  const runner = createQueueRunner(config, { log: createLogger('warn'), db });
  const started = performance.now();
  await runner.runOnce();
  const seconds = (performance.now() - started) / 1000;
  await runner.stop();
  const { bad } = db.prepare('SELECT count(*) AS bad FROM builds WHERE finished = 0 OR buildstatus != 0').get() as { bad: number };
  if (bad) throw new Error(`${bad} builds did not succeed`);
  db.close();
  return seconds;
}

const rows: { shape: string; hydrant: number; peer: number; ratio: number }[] = [];
try {
  for (const shape of Object.keys(shapes) as (keyof typeof shapes)[]) {
    const p = await peer(shape);
    const h = await hydrant(shape);
    rows.push({ shape, hydrant: h, peer: p, ratio: h / p });
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
console.log('shape         hydrant (s)  nix-store -j2 (s)  ratio');
for (const r of rows) console.log(`${r.shape.padEnd(14)}${r.hydrant.toFixed(2).padStart(11)}  ${r.peer.toFixed(2).padStart(17)}  ${r.ratio.toFixed(2).padStart(5)}`);
const worst = Math.max(...rows.map((r) => r.ratio));
console.log(`RESULT name=queue ratio=${worst.toFixed(2)} target=${TARGET} ${worst <= TARGET ? 'pass' : 'fail'}`);
