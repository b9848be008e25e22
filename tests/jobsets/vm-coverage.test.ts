// The evidence of the bundled VM tests on hydrant's pages: coverage merged from every
// machine (equal to Debian's `lcov --summary`), annotated sources, the trend and change
// when a second commit changes what the tests exercise, the evaluation's coverage, and
// the quake3 screenshot compared with the previous build's. Real QEMU VMs through the
// evaluator and the queue runner. Needs scripts/setup-vm.sh (run by the npm set-up).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { lcovSummaryTotals } from '../helpers/lcov-summary.ts';
import { get } from '../helpers/http.ts';
import { VmJobset, vmSkip as skip } from '../helpers/vm-fixture.ts';
import { holdVmLock } from '../helpers/vm-lock.ts';

interface Figure {
  hit: number;
  found: number;
  percent: number | null;
}
interface CoverageJson {
  lines: Figure;
  functions: Figure;
  branches: Figure;
  files: { path: string; source: string; lines: Figure }[];
}

const vm = new VmJobset();
let url = '';
let first: { evalId: number; builds: Record<string, number> };
let second: { evalId: number; builds: Record<string, number> };

const json = async <T>(path: string): Promise<T> => {
  const r = await get(`${url}${path}`, { json: true });
  assert.equal(r.status, 200, `${path}: ${r.text.slice(0, 300)}`);
  return r.json() as T;
};
const html = async (path: string): Promise<string> => {
  const r = await get(`${url}${path}`);
  assert.equal(r.status, 200, `${path}: ${r.text.slice(0, 300)}`);
  return r.text;
};

before(async () => {
  if (skip) return;
  const releaseVmLock = await holdVmLock(); // while this file's VMs run (vm-tests.test.ts counts QEMU processes)
  try {
    await buildBothCommits();
  } finally {
    releaseVmLock();
  }
  url = await vm.startServer();
});

async function buildBothCommits(): Promise<void> {
  await vm.evaluateAndBuild();
  first = vm.latestEval();
  // A second commit: the client joins under another name (another screen) and the test
  // also checks arena's usage message (more of arena.c is covered).
  const quake3 = join(vm.src, 'nixos', 'tests', 'quake3.nix');
  const changed = readFileSync(quake3, 'utf8')
    .replaceAll('Foo', 'Zed')
    .replace(
      "await client.screenshot('screen');",
      "await client.fail('arena bogus');\n  await client.screenshot('screen');",
    );
  assert.notEqual(changed, readFileSync(quake3, 'utf8'));
  writeFileSync(quake3, changed);
  await vm.evaluateAndBuild();
  second = vm.latestEval();
}

after(async () => {
  await vm.server?.stop();
});

test(
  "the report build's coverage equals lcov --summary of its merged tracefile and reads by source paths",
  { skip },
  async () => {
    const id = first.builds['report']!;
    const build = await json<{ buildproducts: Record<string, { name: string; subtype: string; path: string }> }>(
      `/build/${id}`,
    );
    const merged = Object.values(build.buildproducts).find((p) => p.subtype === 'lcov' && p.name === 'coverage.info')!;
    const lcov = lcovSummaryTotals(
      execFileSync('lcov', ['--summary', merged.path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
    );
    const ours = await json<CoverageJson>(`/build/${id}/coverage`);
    assert.deepEqual(
      [
        ours.lines.hit,
        ours.lines.found,
        ours.functions.hit,
        ours.functions.found,
        ours.branches.hit,
        ours.branches.found,
      ],
      [lcov.linesHit, lcov.linesFound, lcov.functionsHit, lcov.functionsFound, lcov.branchesHit, lcov.branchesFound],
    );
    assert.ok(lcov.linesFound > 50, `lcov sees ${lcov.linesFound} lines`);
    const paths = ours.files.map((f) => f.path).sort();
    assert.ok(
      paths.includes('nixos-example-programs/tinydb.c') && paths.includes('nixos-example-programs/arena.c'),
      paths.join(', '),
    );
    for (const p of paths) assert.doesNotMatch(p, /[0-9a-z]{32}-|^\/nix\/store/, 'no store hash in a shown path');
    // Hit counts too, not only the totals: a line's count is the merged tracefile's, so the
    // machines' own tracefiles shipped beside it are not counted a second time.
    const daOf = (file: string) => {
      const record = readFileSync(merged.path, 'utf8')
        .split('end_of_record')
        .find((r) => r.includes(`SF:`) && r.split('\n').some((l) => l.startsWith('SF:') && l.endsWith(`/${file}`)))!;
      return Object.fromEntries(
        [...record.matchAll(/^DA:(\d+),(\d+)/gm)].map((m) => [m[1]!, Number(m[2])] as [string, number]),
      );
    };
    const tinydb = await json<{ lines: Record<string, number> }>(
      `/build/${id}/coverage/nixos-example-programs/tinydb.c`,
    );
    assert.deepEqual(tinydb.lines, daOf('tinydb.c'));
    assert.ok(
      Object.values(build.buildproducts).some((p) => p.subtype === 'lcov-input'),
      'the machines’ tracefiles are still products, of their own subtype',
    );
    const page = await html(`/build/${id}/coverage`);
    assert.match(page, /nixos-example-programs/);
    assert.doesNotMatch(page, /[0-9a-z]{32}-nixos-example-programs/);
    const build2 = await html(`/build/${id}`);
    assert.match(build2, new RegExp(`href="/build/${id}/coverage"`), 'the build page links its coverage');
  },
);

test("a file page shows the source with each line's count and highlights an uncovered line", { skip }, async () => {
  const id = first.builds['report']!;
  const page = await html(`/build/${id}/coverage/nixos-example-programs/tinydb.c`);
  assert.match(
    page,
    /<tr id="L\d+" class="uncovered"><td class="ln">\d+<\/td><td class="hits">0<\/td><td><pre>[^<]*\S/,
    'an uncovered line with its source text',
  );
  assert.match(page, /<tr id="L\d+" class="covered"><td class="ln">\d+<\/td><td class="hits">[1-9]\d*<\/td>/);
  assert.match(page, /int main\(/, 'the source comes from the store');
  assert.doesNotMatch(page, /Source not shown/);
});

test('a second commit with different coverage shows the trend and the change', { skip }, async () => {
  assert.notEqual(second.builds['report'], first.builds['report'], 'the report was built again');
  const trend = await json<{
    builds: { id: number; lines: Figure }[];
    change: {
      previous: number;
      current: number;
      rose: { name: string }[];
      fell: { name: string }[];
      newlyUncovered: unknown[];
    };
  }>('/job/nixos/trunk/report/coverage');
  assert.deepEqual(
    trend.builds.map((b) => b.id),
    [second.builds['report'], first.builds['report']],
  );
  assert.ok(
    trend.builds[0]!.lines.hit > trend.builds[1]!.lines.hit,
    `line hits ${trend.builds[0]!.lines.hit} after, ${trend.builds[1]!.lines.hit} before`,
  );
  assert.ok(
    trend.change.rose.some((f) => f.name === 'nixos-example-programs/arena.c'),
    JSON.stringify(trend.change),
  );
  const page = await html('/job/nixos/trunk/report/coverage');
  assert.equal((page.match(/<circle /g) ?? []).length, 2, 'one point per build in the SVG trend');
  assert.match(page, /<polyline class="lines" points="[\d.]+,[\d.]+ [\d.]+,[\d.]+"/);
  assert.match(page, /arena\.c: [\d.]+% → [\d.]+% <span class="rose">\+/);
  assert.match(
    await html('/job/nixos/trunk/report'),
    /href="\/job\/nixos\/trunk\/report\/coverage"/,
    'the job page shows the latest figures',
  );
});

test(
  "the evaluation's coverage, merged over every build, covers more lines than either test alone",
  { skip },
  async () => {
    const all = await json<CoverageJson>(`/eval/${second.evalId}/coverage`);
    const trac = await json<CoverageJson>(`/build/${second.builds['tests.trac']}/coverage`);
    const quake3 = await json<CoverageJson>(`/build/${second.builds['tests.quake3']}/coverage`);
    assert.ok(
      all.lines.hit > trac.lines.hit && all.lines.hit > quake3.lines.hit,
      `eval ${all.lines.hit}, trac ${trac.lines.hit}, quake3 ${quake3.lines.hit}`,
    );
    assert.match(await html(`/eval/${second.evalId}/coverage`), /all builds merged/);
    assert.match(
      await html(`/eval/${second.evalId}`),
      new RegExp(`href="/eval/${second.evalId}/coverage"`),
      'the evaluation page links it',
    );
  },
);

test(
  "the quake3 screenshot is compared with the previous build's: the changed screen shows changed pixels",
  { skip },
  async () => {
    const id = second.builds['tests.quake3']!;
    const build = await json<{ buildmetrics: Record<string, { value: number }> }>(`/build/${id}`);
    assert.ok((build.buildmetrics['screenshotChangedPixels']?.value ?? 0) > 0, JSON.stringify(build.buildmetrics));
    const page = await html(`/build/${id}`);
    assert.match(page, /[1-9]\d* of 288000 pixels changed/);
    const diff = /src="(\/build\/\d+\/screenshot-diff\/\d+)"/.exec(page);
    assert.ok(diff, 'a difference image');
    const r = await fetch(`${url}${diff[1]}`);
    assert.equal(r.headers.get('content-type'), 'image/png');
    const gallery = await json<{ build: number; changedPixels: number | null }[]>(
      '/job/nixos/trunk/tests.quake3/screenshots',
    );
    assert.deepEqual(
      gallery.map((s) => s.build),
      [id, first.builds['tests.quake3']],
    );
  },
);
