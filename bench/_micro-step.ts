// Micro-benchmark (not a benchmark of the suite): CPU time of the pieces of one step's
// bookkeeping in isolation, to say where a step's overhead goes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../core/db/database.ts';
import { migrate } from '../core/db/migrate.ts';
import { upsertProject } from '../core/db/projects.ts';
import { upsertJobsetFromSpec } from '../core/db/jobsets.ts';
import { finishStep, startStep } from '../core/db/steps.ts';
import { bareResult, finishBuild } from '../core/db/build-results.ts';
import { recordMachineStep, syncMachines } from '../core/db/machines.ts';
import { CliNix } from '../core/nix/cli-nix.ts';
import { StepLog } from '../queue-runner/step-log.ts';
import { GcRoots } from '../core/gc-roots.ts';

const N = Number(process.argv[2] ?? 500);
const root = mkdtempSync(join(tmpdir(), 'hydrant-micro-'));
const db = openDatabase(join(root, 'db.sqlite'));
migrate(db);
upsertProject(db, {
  name: 'p',
  displayname: 'p',
  description: '',
  homepage: '',
  enabled: true,
  hidden: false,
  owner: '',
  spec_source: '',
});
const jobsetId = upsertJobsetFromSpec(
  db,
  'p',
  {
    name: 'j',
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
syncMachines(db, [
  {
    name: 'localhost',
    systems: ['x86_64-linux'],
    maxJobs: 2,
    speedFactor: 1,
    supportedFeatures: [],
    mandatoryFeatures: [],
  },
]);
const ins = db.prepare(
  "INSERT INTO builds (finished, timestamp, jobset_id, job, drvpath, system) VALUES (0, 0, ?, ?, ?, 'x86_64-linux')",
);
const ids: number[] = [];
for (let i = 0; i < N; i++)
  ids.push(Number(ins.run(jobsetId, `job${i}`, `/nix/store/${String(i).padStart(32, 'a')}-x.drv`).lastInsertRowid));

async function measure(name: string, fn: (i: number) => unknown): Promise<void> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await fn(i);
  const c = process.cpuUsage(c0);
  console.log(
    `${name.padEnd(44)} ${((c.user + c.system) / 1000 / N).toFixed(3).padStart(7)} ms CPU  ` +
      `(${(c.system / 1000 / N).toFixed(3)} sys)  ` +
      `${((performance.now() - t0) / N).toFixed(3).padStart(7)} ms wall`,
  );
}

const out = { out: '/nix/store/' + 'b'.repeat(32) + '-x' };
await measure('startStep (1 transaction)', (i) =>
  startStep(db, {
    buildId: ids[i]!,
    drvPath: 'd',
    machine: 'localhost',
    system: 'x86_64-linux',
    logfileFor: (n) => `logs/${ids[i]}/${n}.log`,
    phase: 30,
  }),
);
await measure('finishStep (1 transaction)', (i) =>
  finishStep(db, ids[i]!, 1, { status: 0, errormsg: null, outputs: out }),
);
await measure('recordMachineStep (autocommit)', () => recordMachineStep(db, 'localhost', 0));
await measure('finishBuild (1 transaction)', (i) => finishBuild(db, ids[i]!, bareResult(0, 0)));
await measure('step log: create, write, close', async (i) => {
  const log = new StepLog(root, `logs/${ids[i]}/1.log`, 0, () => undefined);
  log.write('hello\n');
  log.close();
});
await measure('step log: compress, remove plain', async (i) => {
  const log = new StepLog(root, `logs/${ids[i]}/2.log`, 0, () => undefined);
  log.close();
  await log.compress();
  log.removePlain();
});
const roots = new GcRoots(join(root, 'gcroots'));
await measure('gc root symlink', (i) => roots.add([`/nix/store/${String(i).padStart(32, 'c')}-x`]));
const nix = new CliNix();
const probe = ['/nix/store/' + 'd'.repeat(32) + '-nothing'];
await nix.validPaths(probe);
await measure('nix-store --serve round trip (query)', () => nix.validPaths(probe));
rmSync(root, { recursive: true, force: true });
process.exit(0);
