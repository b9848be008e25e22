// Job enumeration through real nix-instantiate: every job, however deep, with its meta;
// every failing job recorded with Nix's own message, never hiding the others.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CliNix } from '../../../core/nix/cli-nix.ts';
import { drvWriters } from '../../../core/nix/eval-jobs.ts';
import { EvalError } from '../../../core/nix/nix.ts';
import { tempDir } from '../../helpers/temp.ts';

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
  const file = expr(`{ slow = job (toString (builtins.foldl' (a: b: a + b) 0 (builtins.genList (x: x) 100000000))); }`);
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
