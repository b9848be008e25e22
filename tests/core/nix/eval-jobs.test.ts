// Job enumeration through real nix-instantiate: every job, however deep, with its meta;
// every failing job recorded with Nix's own message, never hiding the others.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CliNix } from '../../../core/nix/cli-nix.ts';
import { evaluateJobsIsolated, type JobsRunner } from '../../../core/nix/eval-jobs.ts';
import { drvWriters } from '../../../core/nix/eval-writes.ts';
import { EvalError } from '../../../core/nix/nix.ts';
import { hashSource } from '../../../core/nix/source-path.ts';
import { tempDir } from '../../helpers/temp.ts';
import { endlessSum } from '../../helpers/slow-nix.ts';

const dir = tempDir();
const nix = new CliNix();

/** A release.nix whose derivations are unique to this test run. */
function expr(body: string): string {
  const file = join(dir, `${randomUUID()}.nix`);
  writeFileSync(
    file,
    `{ greeting ? "hi" }:
let job = name: derivation { inherit name; system = builtins.currentSystem; builder = "/bin/sh";
  args = [ "-c" "echo \${greeting} ${randomUUID()} > $out" ]; PATH = "/usr/bin:/bin"; };
in ${body}`,
  );
  return file;
}

test('nested jobs are enumerated with dotted names, system, drv path, outputs and meta', async () => {
  const file = expr(`{
    report = job "report" // { meta = { description = "the report";
      license = { shortName = "MIT"; fullName = "MIT License"; };
      homepage = "https://example.org"; maintainers = [ { email = "a@example.org"; } "b" ];
      schedulingPriority = 50; timeout = 20; maxSilent = 10; }; };
    tests = { trac = job "trac"; deep = { er = { still = job "still"; }; }; notAJob = 3; };
    "with.dot" = job "dot";
  }`);
  const r = await nix.evaluateJobs({ exprPath: file, args: { greeting: { str: 'hello' } } });
  assert.deepEqual(
    r.errors.map((e) => e.name),
    ['with.dot'],
    'as in Hydra, a dotted attribute name is not a job',
  );
  assert.match(r.errors[0]!.error, /contains a dot/);
  assert.deepEqual(r.jobs.map((j) => j.name).sort(), ['report', 'tests.deep.er.still', 'tests.trac']);
  const report = r.jobs.find((j) => j.name === 'report')!;
  assert.equal(report.nixName, 'report');
  assert.match(report.system, /-linux$/);
  assert.match(report.drvPath, /^\/nix\/store\/[a-z0-9]{32}-report\.drv$/);
  assert.match(report.outputs['out']!, /^\/nix\/store\/[a-z0-9]{32}-report$/);
  assert.deepEqual(
    {
      d: report.description,
      l: report.license,
      h: report.homepage,
      m: report.maintainers,
      p: report.schedulingPriority,
      t: report.timeout,
      s: report.maxSilent,
    },
    { d: 'the report', l: 'MIT', h: 'https://example.org', m: 'a@example.org, b', p: 50, t: 20, s: 10 },
  );
  for (const j of r.jobs) assert.ok(existsSync(j.drvPath), `${j.name}'s .drv is in the store for the queue runner`);
});

test(`a job that throws, aborts or has a type error is recorded with its own message; \
the others are kept`, async () => {
  const file = expr(`{
    good = job "good";
    thrown = throw "thrown on purpose";
    aborted = abort "aborted on purpose";
    typeError = job "t" // { drvPath = 1 + "a"; };
    tests = { ok = job "ok"; deeper = { broken = abort "deep abort"; fine = job "fine"; }; };
  }`);
  const r = await nix.evaluateJobs({ exprPath: file, args: {} });
  assert.deepEqual(r.jobs.map((j) => j.name).sort(), ['good', 'tests.deeper.fine', 'tests.ok']);
  const errors = Object.fromEntries(r.errors.map((e) => [e.name, e.error]));
  assert.deepEqual(Object.keys(errors).sort(), ['aborted', 'tests.deeper.broken', 'thrown', 'typeError']);
  assert.match(errors['thrown']!, /thrown on purpose/);
  assert.match(errors['aborted']!, /aborted on purpose/);
  assert.match(errors['tests.deeper.broken']!, /deep abort/);
  assert.match(errors['typeError']!, /cannot add a string to an integer/);
});

test('aggregate jobs list their constituents by name or by derivation', async () => {
  const file = expr(`rec {
    a = job "a"; b = job "b";
    release = job "release" // { _hydraAggregate = true; constituents = [ a "b" ]; };
  }`);
  const r = await nix.evaluateJobs({ exprPath: file, args: {} });
  const release = r.jobs.find((j) => j.name === 'release')!;
  const a = r.jobs.find((j) => j.name === 'a')!;
  assert.equal(release.isAggregate, true);
  assert.deepEqual(release.constituents, [{ drvPath: a.drvPath }, 'b']);
  assert.equal(a.isAggregate, false);
});

test("an expression that fails as a whole rejects with Nix's message", async () => {
  await assert.rejects(
    nix.evaluateJobs({ exprPath: expr('throw "the whole thing is broken"'), args: {} }),
    (e: Error) => e instanceof EvalError && /the whole thing is broken/.test(e.message),
  );
  await assert.rejects(
    nix.evaluateJobs({ exprPath: expr('42'), args: {} }),
    (e: Error) => e instanceof EvalError && /must be an attribute set of jobs, but it is int/.test(e.message),
  );
});

test('an evaluation past its memory limit is stopped with a clear error', async () => {
  const file = expr(
    `{ ok = job "ok"; hog = job (toString (builtins.length (builtins.genList (x: toString x) 50000000))); }`,
  );
  await assert.rejects(
    nix.evaluateJobs({ exprPath: file, args: {}, memoryLimitMiB: 300 }),
    (e: Error) => e instanceof EvalError && /memory limit of 300 MiB/.test(e.message),
  );
});

test('an evaluation past its time limit is stopped with a clear error', async () => {
  const file = expr(`{ slow = job (${endlessSum}); }`);
  await assert.rejects(
    nix.evaluateJobs({ exprPath: file, args: {}, timeoutSeconds: 1 }),
    (e: Error) => e instanceof EvalError && /longer than 1 seconds/.test(e.message),
  );
});

test(`missing .drv files are written by one Nix process when evaluating is cheap, \
by every worker when it is not`, () => {
  // bench/eval's 5,000 trivial jobs: the walk took 0.28 s on two workers.
  assert.equal(
    drvWriters(5000, { shards: 2, walkMsPerJob: 280 / 5000 }),
    1,
    "one writer: Nix's store database is never fought over",
  );
  // A nixpkgs-sized expression: minutes of evaluation for 40,000 jobs.
  assert.equal(
    drvWriters(40000, { shards: 2, walkMsPerJob: 300_000 / 40000 }),
    2,
    'evaluating again costs more than writing: in parallel',
  );
});

/** A runner that answers as eval-jobs.nix would for `jobs` (all under one top-level set), recording each run. */
function fakeRunner(jobs: string[], writer: 'writes' | 'fails' = 'writes', writerWaitsFor?: Promise<void>) {
  const runs: { mode: string; writeDrvs: boolean }[] = [];
  const drv = (name: string) => `/nix/store/00000000000000000000000000000000-${name}-${randomUUID()}.drv`;
  const drvs = new Map(jobs.map((name) => [name, drv(name)]));
  const described = (name: string) => ({
    path: [name],
    name,
    nixName: name,
    system: 'x86_64-linux',
    drvPath: drvs.get(name)!,
    outputs: { out: drvs.get(name)!.replace(/\.drv$/, '') },
    meta: { description: `job ${name}` },
    isAggregate: false,
    constituents: [],
  });
  const runner: JobsRunner = {
    run: async (request, options) => {
      runs.push({ mode: request.mode, writeDrvs: options.writeDrvs });
      if (request.mode === 'write') await writerWaitsFor;
      if (request.mode === 'write')
        return writer === 'writes'
          ? { ok: true, value: [...drvs.values()] }
          : { ok: false, message: 'x', limitHit: false };
      if (request.mode === 'walk') {
        const [i, n] = request.shard ?? [0, 1];
        return { ok: true, value: jobs.filter((_, k) => k % n === i).map(described) };
      }
      if (request.mode === 'drvs') return { ok: true, value: request.paths.map((p) => drvs.get(p[0]!)) };
      return { ok: false, message: `unexpected ${request.mode}`, limitHit: false };
    },
  };
  return { runner, runs };
}

test(`usually the walkers write the few new .drv files themselves: read-write walks, \
no writer process after them`, async () => {
  const { runner, runs } = fakeRunner(['a', 'b', 'c']);
  const r = await evaluateJobsIsolated(runner, { workers: 2 });
  assert.deepEqual(r.jobs.map((j) => j.name).sort(), ['a', 'b', 'c']);
  assert.equal(r.jobs[0]!.description, `job ${r.jobs[0]!.name}`, 'meta the job sets is read');
  assert.equal(r.jobs[0]!.license, null, 'meta it does not set is null');
  assert.deepEqual(runs, [
    { mode: 'walk', writeDrvs: true },
    { mode: 'walk', writeDrvs: true },
  ]);
});

test(
  `when most .drv files are new, one process writes them all beside a read-only walker, \
and the jobs are heard before it is done`,
  { timeout: 10_000 },
  async () => {
    let heard: readonly string[] = [];
    let hear = () => {};
    // The writer answers only once the jobs were heard: heard after it, this would never end.
    const { runner, runs } = fakeRunner(['a', 'b', 'c'], 'writes', new Promise((resolve) => (hear = resolve)));
    const r = await evaluateJobsIsolated(runner, {
      workers: 2,
      expectNewDrvs: true,
      onJobs: (jobs) => {
        heard = jobs.map((j) => j.name);
        hear();
      },
    });
    assert.deepEqual([...heard].sort(), ['a', 'b', 'c']);
    assert.equal(r.jobs.length, 3);
    assert.deepEqual(runs, [
      { mode: 'write', writeDrvs: true },
      { mode: 'walk', writeDrvs: false },
    ]);
  },
);

test('with one worker, a first evaluation has no writer beside it: the walker writes', async () => {
  const { runner, runs } = fakeRunner(['a', 'b']);
  assert.equal((await evaluateJobsIsolated(runner, { workers: 1, expectNewDrvs: true })).jobs.length, 2);
  assert.deepEqual(runs, [{ mode: 'walk', writeDrvs: true }]);
});

test('stopping the evaluation after the walk stops the writer too', { timeout: 10_000 }, async () => {
  const stop = new AbortController();
  const { runner } = fakeRunner(['a']);
  const writerStopped: JobsRunner = {
    // The writer answers only once it is told to stop: not told, this would never end.
    run: (request, options) =>
      request.mode !== 'write'
        ? runner.run(request, options)
        : new Promise((resolve) =>
            options.signal?.addEventListener('abort', () => resolve({ ok: false, message: 'killed', limitHit: true })),
          ),
  };
  await assert.rejects(
    evaluateJobsIsolated(writerStopped, {
      workers: 2,
      expectNewDrvs: true,
      signal: stop.signal,
      onJobs: () => stop.abort(),
    }),
    (e: Error) => e instanceof EvalError,
  );
});

test('what the writer could not write is written after the walk', async () => {
  const { runner, runs } = fakeRunner(['a', 'b'], 'fails');
  const r = await evaluateJobsIsolated(runner, { workers: 2, expectNewDrvs: true });
  assert.equal(r.jobs.length, 2);
  assert.deepEqual(runs.at(-1), { mode: 'drvs', writeDrvs: true });
});

test(`a first evaluation (expectNewDrvs) writes every .drv and still keeps every job's own error`, async () => {
  const file = expr(`{
    good = job "good";
    thrown = throw "thrown on purpose";
    tests = { ok = job "ok"; broken = abort "deep abort"; };
  }`);
  const r = await nix.evaluateJobs({ exprPath: file, args: {}, expectNewDrvs: true });
  assert.deepEqual(r.jobs.map((j) => j.name).sort(), ['good', 'tests.ok']);
  assert.deepEqual(r.errors.map((e) => e.name).sort(), ['tests.broken', 'thrown']);
  assert.match(r.errors.find((e) => e.name === 'tests.broken')!.error, /deep abort/);
  for (const j of r.jobs) assert.ok(existsSync(j.drvPath), `${j.name}'s .drv is in the store`);
});

test('a job that imports from a derivation is an error: the evaluator never builds; the others are kept', async () => {
  const file = expr(`{
    good = job "good";
    ifd = job (import (derivation { name = "ifd-${randomUUID()}"; system = builtins.currentSystem;
      builder = "/bin/sh"; args = [ "-c" "echo '\\"built\\"' > $out" ]; }));
  }`);
  for (const expectNewDrvs of [false, true]) {
    const r = await nix.evaluateJobs({ exprPath: file, args: {}, expectNewDrvs });
    assert.deepEqual(
      r.jobs.map((j) => j.name),
      ['good'],
    );
    assert.deepEqual(
      r.errors.map((e) => e.name),
      ['ifd'],
    );
  }
});

test('a request too long for one argument reaches Nix through a file, restricted too', async () => {
  // Bisecting 2,000 jobs with 40-character names sends lists of names longer than 32 kB.
  const names = Array.from({ length: 2000 }, (_, i) => `job${String(i).padStart(37, '0')}`);
  const file = expr(`{ ${names.map((n) => `${n} = job "${n}";`).join(' ')} broken = abort "broken on purpose"; }`);
  const r = await nix.evaluateJobs({
    exprPath: file,
    args: {},
    workers: 1,
    restrict: { allowedPaths: [dir], allowedUris: [] },
  });
  assert.equal(r.jobs.length, 2000);
  assert.deepEqual(
    r.errors.map((e) => e.name),
    ['broken'],
  );
  assert.match(r.errors[0]!.error, /broken on purpose/);
});

/** A directory holding a release.nix of its own, not in the store yet. */
function sourceDir(): string {
  const src = join(dir, `src-${randomUUID()}`);
  mkdirSync(src);
  writeFileSync(
    join(src, 'release.nix'),
    `{ ... }: { a = derivation { name = "a"; system = builtins.currentSystem; builder = "/bin/sh";
      args = [ "-c" "echo ${randomUUID()} > $out" ]; PATH = "/usr/bin:/bin"; }; }`,
  );
  return src;
}

test(`a directory to copy is copied into its store path by the walk that may write, or before walks that \
may not`, async () => {
  for (const plan of [{ workers: 1 }, { workers: 2, expectNewDrvs: true }]) {
    const src = sourceDir();
    const copy = { hostPath: src, ...hashSource(src) };
    assert.equal((await nix.validPaths([copy.storePath])).size, 0);
    const r = await nix.evaluateJobs({
      exprPath: join(copy.storePath, 'release.nix'),
      args: {},
      copies: [copy],
      ...plan,
    });
    assert.deepEqual(
      r.jobs.map((j) => j.name),
      ['a'],
      JSON.stringify(plan),
    );
    assert.equal((await nix.validPaths([copy.storePath])).size, 1, JSON.stringify(plan));
  }
});

test('a directory that changed after it was hashed is an evaluation error that says so', async () => {
  const src = sourceDir();
  const copy = { hostPath: src, ...hashSource(src) };
  writeFileSync(join(src, 'release.nix'), '{ ... }: { }');
  await assert.rejects(
    nix.evaluateJobs({ exprPath: join(copy.storePath, 'release.nix'), args: {}, copies: [copy], workers: 1 }),
    (e: Error) => e instanceof EvalError && e.message.includes(`${src} changed while it was being evaluated`),
  );
  assert.equal((await nix.validPaths([copy.storePath])).size, 0, 'nothing was stored under the old hash');
});

test(`a job whose drvPath is the known one is only named; changed, new and aggregate jobs are described, \
failing ones still fail`, async () => {
  const file = expr(`{
    same = job "same";
    changed = job "changed";
    fresh = job "fresh";
    agg = job "agg" // { _hydraAggregate = true; constituents = [ "same" ]; };
    broken = throw "broken";
  }`);
  const first = await nix.evaluateJobs({ exprPath: file, args: {} });
  const drv = Object.fromEntries(first.jobs.map((j) => [j.name, j.drvPath]));
  const known = JSON.stringify({
    same: drv['same'],
    changed: drv['fresh'], // another derivation than it has now
    agg: drv['agg'],
    broken: drv['same'],
  });
  const r = await nix.evaluateJobs({ exprPath: file, args: {}, known });
  assert.deepEqual(r.unchanged, ['same']);
  assert.deepEqual(r.jobs.map((j) => j.name).sort(), ['agg', 'changed', 'fresh']);
  assert.deepEqual(r.jobs.find((j) => j.name === 'agg')?.constituents, ['same']);
  assert.deepEqual(
    r.errors.map((e) => e.name),
    ['broken'],
  );
  assert.deepEqual(first.unchanged, [], 'nothing known, nothing unchanged');
});
