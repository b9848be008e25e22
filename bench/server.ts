// bench/server: the pages Hydra's users report taking minutes (Hydra issues #388, #821,
// #1362, /eval/N/builds timeouts), on a database of 1,000,000 builds across 20 jobsets with
// evaluations of 20,000 jobs, each page measured at 32 connections against a static asset
// served by the same `hydrant server` process (the ceiling). Targets: p99 ≤ 100 ms, and
// throughput ≥ 1/5 of the static asset's.
//   npm run bench -- server [--duration SECONDS] [--reseed]
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { benchTargets, seedBigDatabase, type SeedShape } from '../core/db/bench-seed.ts';
import { openDatabase } from '../core/db/database.ts';
import { migrate } from '../core/db/migrate.ts';
import { PACKAGE_ROOT } from '../core/paths.ts';

const SHAPE: SeedShape = { jobsets: 20, bigJobs: 20_000, bigEvals: 6, bigRebuilt: 4_100, smallJobs: 505, smallEvals: 100 };
const P99_TARGET_MS = 100;
const RATIO_TARGET = 0.2;
const args = process.argv.slice(2);
const duration = Number(args[args.indexOf('--duration') + 1]) || 8;

/** A cached seed: 1M builds take a while to write, and the shape is fixed. */
function seededDatabase(): string {
  const dir = join(PACKAGE_ROOT, '.hydrant', 'bench');
  const file = join(dir, `server-${Object.values(SHAPE).join('-')}.sqlite`);
  if (existsSync(file) && !args.includes('--reseed')) return file;
  mkdirSync(dir, { recursive: true });
  const partial = `${file}.partial`;
  rmSync(partial, { force: true });
  const db = openDatabase(partial);
  migrate(db);
  db.pragma('synchronous = OFF'); // the seed only: a crash just means seeding again
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const started = Date.now();
  const { builds } = seedBigDatabase(db, SHAPE, random);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.exec('ANALYZE');
  db.close();
  rmSync(`${partial}-wal`, { force: true });
  rmSync(`${partial}-shm`, { force: true });
  renameSync(partial, file);
  console.log(`seeded ${builds} builds in ${((Date.now() - started) / 1000).toFixed(1)} s → ${file}`);
  return file;
}

function startServer(dbPath: string): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(PACKAGE_ROOT, 'cli', 'hydrant.ts'), 'server', '--db', dbPath,
    '--state-dir', join(PACKAGE_ROOT, '.hydrant', 'bench', 'state'), '--port', '0', '--log-level', 'info'], { cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      const url = /"url":"(http:[^"]+)"/.exec(output)?.[1];
      if (url) resolve({ url, stop: () => child.kill('SIGTERM') });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`hydrant server exited (${code}): ${output}`)));
  });
}

interface Row { page: string; rps: number; p50: number; p99: number; mbps: number; errors: number }

async function measure(url: string, page: string, headers: Record<string, string>): Promise<Row> {
  // One warm-up request: the first visit after a change pays for the cached aggregates.
  await fetch(url + page, { headers }).then((r) => r.arrayBuffer());
  const r = await autocannon({ url: url + page, connections: 32, duration, headers });
  return { page, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, mbps: r.throughput.average / 1e6, errors: r.errors + r.timeouts + r.non2xx };
}

const dbPath = seededDatabase();
const db = openDatabase(dbPath, { readonly: true });
const { bigEval, failedBuild, builds, members } = benchTargets(db);
db.close();
console.log(`database: ${builds} builds; evaluation ${bigEval} has ${members} builds`);

const server = await startServer(dbPath);
const html = { Accept: 'text/html' };
const json = { Accept: 'application/json' };
const rows: Row[] = [];
try {
  const pages: [string, Record<string, string>][] = [
    ['/static/hydrant.css', html],
    ['/jobset/big/j00', html],
    [`/eval/${bigEval}`, html],
    [`/eval/${bigEval}/builds`, json],
    ['/job/big/j00/job-00042', html],
    [`/build/${failedBuild}`, html],
    ['/queue', html],
  ];
  for (const [page, headers] of pages) rows.push(await measure(server.url, page, headers));
} finally {
  server.stop();
}

const ceiling = rows[0]!.rps;
console.log(`\n${'page'.padEnd(28)} ${'req/s'.padStart(9)} ${'vs static'.padStart(9)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'MB/s'.padStart(8)} ${'errors'.padStart(6)}  verdict`);
let worstRatio = Infinity;
let allPass = true;
for (const r of rows) {
  const ratio = r.rps / ceiling;
  const isStatic = r === rows[0];
  const pass = r.errors === 0 && r.p99 <= P99_TARGET_MS && (isStatic || ratio >= RATIO_TARGET);
  if (!isStatic) worstRatio = Math.min(worstRatio, ratio);
  allPass &&= pass;
  console.log(`${r.page.padEnd(28)} ${r.rps.toFixed(0).padStart(9)} ${ratio.toFixed(2).padStart(9)} ${String(r.p50).padStart(7)} ${String(r.p99).padStart(7)} ${r.mbps.toFixed(1).padStart(8)} ${String(r.errors).padStart(6)}  ${pass ? 'pass' : 'FAIL'}`);
}
console.log(`\n32 connections, ${duration} s per page; targets p99 ≤ ${P99_TARGET_MS} ms and ≥ ${RATIO_TARGET} × the static asset's req/s`);
console.log(`RESULT name=server ratio=${worstRatio.toFixed(3)} target=${RATIO_TARGET} ${allPass ? 'pass' : 'fail'}`);
