// bench/coverage: merging a build's lcov tracefiles, hydrant's streaming reader against
// Debian's `lcov -a` (the peer) and the lcov-parse package (the parser the design card
// named), in the same run. A project of realistic size: 50 tracefiles (one per machine or
// test) of 2,000 source files × 500 lines with functions and branches. Totals of every
// reader must equal `lcov --summary` of lcov's merged file. Target: hydrant ≥ 5× faster
// than lcov. Each reader runs in its own process, so its peak RSS is its own.
// Then /build/N/coverage of a build holding that coverage: p99 ≤ 100 ms at 32 connections.
//   npm run bench -- coverage [--files 2000] [--lines 500] [--tracefiles 50] [--duration 5]
import { execFileSync, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { readBuildCoverage } from '../core/coverage/build-coverage.ts';
import { seedCoverageBuild } from '../core/db/bench-seed-coverage.ts';
import { openDatabase } from '../core/db/database.ts';
import { migrate } from '../core/db/migrate.ts';
import { PACKAGE_ROOT } from '../core/paths.ts';
import { newBudget, readTracefile, type MergedCoverage } from '../core/coverage/read-tracefile.ts';
import { fileTotals, sumTotals, type Totals } from '../core/coverage/tracefile.ts';
import { lcovSummaryTotals } from '../tests/helpers/lcov-summary.ts';

const TARGET = 5;
const P99_TARGET_MS = 100;
const args = process.argv.slice(2);
const option = (name: string, fallback: number) =>
  args.includes(name) ? Number(args[args.indexOf(name) + 1]) || fallback : fallback;

interface WorkerResult {
  seconds: number;
  maxRssMb: number;
  totals: Totals;
}

async function hydrantMerge(files: string[]): Promise<Totals> {
  const merged: MergedCoverage = { files: new Map(), problems: [] };
  const budget = newBudget();
  for (const f of files) await readTracefile(f, f, merged, budget);
  if (merged.problems.length) throw new Error(merged.problems.join('\n'));
  return sumTotals([...merged.files.values()].map(fileTotals));
}

interface LcovParseRecord {
  file: string;
  lines: { details: { line: number; hit: number }[] };
  functions: { details: { name: string; hit?: number }[] };
  branches: { details: { line: number; block: number; branch: number; taken: number }[] };
}

/** lcov-parse reads each file whole and parses it to objects; the merge is ours (it has none). */
async function lcovParseMerge(files: string[]): Promise<Totals> {
  const parse = createRequire(import.meta.url)('lcov-parse') as (
    file: string,
    cb: (err: unknown, data: LcovParseRecord[]) => void,
  ) => void;
  const lines = new Map<string, Map<number, number>>();
  const fns = new Map<string, Map<string, number>>();
  const branches = new Map<string, Map<string, number>>();
  for (const f of files) {
    const data = await new Promise<LcovParseRecord[]>((resolve, reject) =>
      parse(f, (err, d) => (err ? reject(new Error(String(err))) : resolve(d))),
    );
    for (const r of data) {
      const l = lines.get(r.file) ?? new Map<number, number>();
      lines.set(r.file, l);
      for (const d of r.lines.details) l.set(d.line, (l.get(d.line) ?? 0) + d.hit);
      const fn = fns.get(r.file) ?? new Map<string, number>();
      fns.set(r.file, fn);
      for (const d of r.functions.details) fn.set(d.name, (fn.get(d.name) ?? 0) + (d.hit ?? 0));
      const b = branches.get(r.file) ?? new Map<string, number>();
      branches.set(r.file, b);
      for (const d of r.branches.details)
        b.set(`${d.line},${d.block},${d.branch}`, (b.get(`${d.line},${d.block},${d.branch}`) ?? 0) + d.taken);
    }
  }
  const t: Totals = {
    linesFound: 0,
    linesHit: 0,
    functionsFound: 0,
    functionsHit: 0,
    branchesFound: 0,
    branchesHit: 0,
  };
  const add = (
    m: Map<string, Map<unknown, number>>,
    found: 'linesFound' | 'functionsFound' | 'branchesFound',
    hit: 'linesHit' | 'functionsHit' | 'branchesHit',
  ) => {
    for (const x of m.values())
      for (const v of x.values()) {
        t[found]++;
        if (v > 0) t[hit]++;
      }
  };
  add(lines as Map<string, Map<unknown, number>>, 'linesFound', 'linesHit');
  add(fns as Map<string, Map<unknown, number>>, 'functionsFound', 'functionsHit');
  add(branches as Map<string, Map<unknown, number>>, 'branchesFound', 'branchesHit');
  return t;
}

if (args[0] === '--record') {
  // Records the merged coverage as the queue runner does, for the page measurement.
  const [, dbPath, ...files] = args;
  const db = openDatabase(dbPath!);
  migrate(db);
  const coverage = await readBuildCoverage(
    files.map((path) => ({ type: 'file', subtype: 'lcov', path })),
    [],
  );
  process.stdout.write(String(seedCoverageBuild(db, coverage!)));
  db.close();
  process.exit(0);
}

if (args[0] === '--worker') {
  const [, which, ...files] = args;
  const started = process.hrtime.bigint();
  const totals = await (which === 'hydrant' ? hydrantMerge(files) : lcovParseMerge(files));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(
    JSON.stringify({ seconds, maxRssMb: process.resourceUsage().maxRSS / 1024, totals } satisfies WorkerResult),
  );
  process.exit(0);
}

/** A deterministic project: every tracefile covers the same sources, with different hits. */
async function generate(dir: string, tracefiles: number, sources: number, linesPerFile: number): Promise<string[]> {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const files: string[] = [];
  for (let t = 0; t < tracefiles; t++) {
    const file = join(dir, `machine${t}.info`);
    const out = createWriteStream(file);
    const write = (s: string) =>
      out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r()));
    for (let s = 0; s < sources; s++) {
      let text = `TN:\nSF:/nix/store/0123456789abcdfghijklmnpqrsvwxyz-project-src/src/module${s % 40}/file${s}.c\n`;
      for (let fn = 0; fn < linesPerFile / 25; fn++) text += `FN:${fn * 25 + 1},func_${s}_${fn}\n`;
      for (let fn = 0; fn < linesPerFile / 25; fn++)
        text += `FNDA:${random() < 0.3 ? 0 : Math.floor(random() * 50)},func_${s}_${fn}\n`;
      for (let line = 1; line <= linesPerFile; line++)
        text += `DA:${line},${random() < 0.4 ? 0 : Math.floor(random() * 1000)}\n`;
      for (let line = 5; line <= linesPerFile; line += 10) {
        const r = random();
        let taken: string | number = Math.floor(r * 20);
        if (r < 0.5) taken = r < 0.2 ? '-' : 0;
        text += `BRDA:${line},0,0,${taken}\nBRDA:${line},0,1,${r < 0.2 ? '-' : Math.floor(random() * 3)}\n`;
      }
      await write(`${text}end_of_record\n`);
    }
    await new Promise<void>((r) => out.end(() => r()));
    files.push(file);
  }
  return files;
}

function worker(which: string, files: string[]): WorkerResult {
  const r = spawnSync(
    process.execPath,
    ['--max-old-space-size=8192', '--import', 'tsx', fileURLToPath(import.meta.url), '--worker', which, ...files],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  if (r.status !== 0) throw new Error(`${which} worker failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as WorkerResult;
}

/** lcov -a as a peer: wall time and peak RSS from GNU time's format, totals from lcov --summary. */
function lcovMerge(files: string[], dir: string): WorkerResult {
  const merged = join(dir, 'merged.info');
  const rc = ['--rc', 'lcov_branch_coverage=1'];
  const started = process.hrtime.bigint();
  const r = spawnSync(
    '/usr/bin/time',
    ['-f', '%M', 'lcov', '--quiet', ...rc, ...files.flatMap((f) => ['-a', f]), '-o', merged],
    { encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`lcov -a failed: ${r.stderr.slice(-2000)}`);
  const maxRssKb = Number(r.stderr.trim().split('\n').at(-1));
  const summary =
    execFileSync('lcov', [...rc, '--summary', merged], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) + '';
  return { seconds, maxRssMb: maxRssKb / 1024, totals: lcovSummaryTotals(summary || '') };
}

/** `hydrant server` on the database, in its own process, as users run it. */
function startServer(dbPath: string, stateDir: string): Promise<{ url: string; stop: () => void }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(PACKAGE_ROOT, 'cli', 'hydrant.ts'),
      'server',
      '--db',
      dbPath,
      '--state-dir',
      stateDir,
      '--port',
      '0',
      '--log-level',
      'info',
    ],
    { cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
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

async function measurePage(
  files: string[],
  dir: string,
): Promise<{ path: string; p99: number; rps: number; errors: number }> {
  const dbPath = join(dir, 'bench.sqlite');
  const r = spawnSync(
    process.execPath,
    ['--max-old-space-size=8192', '--import', 'tsx', fileURLToPath(import.meta.url), '--record', dbPath, ...files],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`recording failed: ${r.stderr}`);
  const path = `/build/${r.stdout.trim()}/coverage`;
  const server = await startServer(dbPath, join(dir, 'state'));
  try {
    await autocannon({ url: server.url + path, connections: 4, duration: 1 }); // warm-up
    const a = await autocannon({ url: server.url + path, connections: 32, duration: option('--duration', 5) });
    return { path, p99: a.latency.p99, rps: a.requests.average, errors: a.errors + a.timeouts + a.non2xx };
  } finally {
    server.stop();
  }
}

const sources = option('--files', 2000);
const linesPerFile = option('--lines', 500);
const tracefiles = option('--tracefiles', 50);
const dir = mkdtempSync(join(tmpdir(), 'hydrant-bench-coverage-'));
try {
  const started = Date.now();
  const files = await generate(dir, tracefiles, sources, linesPerFile);
  const bytes = Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]);
  console.log(
    `${tracefiles} tracefiles of ${sources} source files × ${linesPerFile} lines ` +
      `(${(bytes / 1e6).toFixed(0)} MB) ` +
      `generated in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  const lcov = lcovMerge(files, dir);
  const hydrant = worker('hydrant', files);
  const lcovParse = worker('lcov-parse', files);
  const same = (t: Totals) => JSON.stringify(t) === JSON.stringify(lcov.totals);
  console.log('| reader | seconds | peak RSS MB | totals equal lcov --summary |');
  console.log('| --- | ---: | ---: | --- |');
  for (const [name, r] of [
    ['lcov -a (Debian lcov 1.16)', lcov],
    ['hydrant (core/coverage)', hydrant],
    ['lcov-parse 1.0 + merge', lcovParse],
  ] as const) {
    let agrees = same(r.totals) ? 'yes' : `NO: ${JSON.stringify(r.totals)}`;
    if (name.startsWith('lcov -a')) agrees = '(the reference)';
    console.log(`| ${name} | ${r.seconds.toFixed(2)} | ${r.maxRssMb.toFixed(0)} | ${agrees} |`);
  }
  console.log(`lcov --summary: ${JSON.stringify(lcov.totals)}`);
  const web = await measurePage(files, dir);
  console.log(
    `\n${web.path} of that build (${sources} files): p99 ${web.p99} ms at 32 connections, ` +
      `${web.rps.toFixed(0)} req/s, ${web.errors} errors (target p99 ≤ ${P99_TARGET_MS} ms)`,
  );
  const ratio = lcov.seconds / hydrant.seconds;
  const pass =
    ratio >= TARGET && same(hydrant.totals) && same(lcovParse.totals) && web.p99 <= P99_TARGET_MS && web.errors === 0;
  console.log(`RESULT name=coverage ratio=${ratio.toFixed(2)} target=${TARGET} ${pass ? 'pass' : 'fail'}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
