// hydrant's merge against Debian's lcov on the corners of the format: several test names
// for one file, a line twice in one record, "-" branches, FNDA without FN, lcov 2's
// FN:START,END,NAME, C++ names with commas. Totals must equal `lcov -a` + `lcov --summary`.
// And the reader's bounds: records, bytes, long lines, hostile paths.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readBuildCoverage } from '../../../core/coverage/build-coverage.ts';
import { displayPath } from '../../../core/coverage/display-path.ts';
import { decodeFile } from '../../../core/coverage/encode.ts';
import { COVERAGE_LIMITS } from '../../../core/coverage/limits.ts';
import { lcovSummaryTotals } from '../../helpers/lcov-summary.ts';
import { tempDir } from '../../helpers/temp.ts';

const dir = tempDir();
const write = (name: string, lines: string[]) => {
  const file = join(dir, name);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
};
const lcovProducts = (files: string[]) => files.map((path) => ({ type: 'file', subtype: 'lcov', path }));

test('totals equal lcov -a and lcov --summary on the corners of the format', async () => {
  const a = write('a.info', [
    'TN:one',
    'SF:/src/a.c',
    'FN:1,main',
    'FN:10,helper',
    'FNDA:3,main',
    'FNDA:0,helper',
    'DA:1,3',
    'DA:2,0',
    'DA:2,0',
    'DA:10,0',
    'BRDA:2,0,0,-',
    'BRDA:2,0,1,-',
    'BRDA:3,0,0,0',
    'LF:3',
    'LH:1',
    'end_of_record',
    'TN:two',
    'SF:/src/a.c',
    'FN:10,helper',
    'FNDA:1,helper',
    'DA:2,5',
    'BRDA:2,0,0,2',
    'end_of_record',
  ]);
  const b = write('b.info', [
    'SF:/src/b.cc',
    'FN:4,ns::f(int, int)',
    'FNDA:0,ns::f(int, int)',
    'FNDA:2,orphan',
    'DA:4,0',
    'DA:5,7',
    'BRDA:5,1,0,0',
    'BRDA:5,1,1,-',
    'end_of_record',
    'SF:/src/a.c',
    'DA:11,1',
    'end_of_record',
  ]);
  const merged = join(dir, 'merged.info');
  const rc = ['--rc', 'lcov_branch_coverage=1'];
  execFileSync('lcov', ['--quiet', ...rc, '-a', a, '-a', b, '-o', merged], { stdio: 'ignore' });
  const lcov = lcovSummaryTotals(
    execFileSync('lcov', [...rc, '--summary', merged], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  const ours = await readBuildCoverage(lcovProducts([a, b]), []);
  assert.deepEqual(ours!.totals, lcov);
  assert.deepEqual(
    ours!.problems.filter((p) => !/outside any store path/.test(p)),
    [],
    'no malformed lines',
  );
  const fileA = ours!.files.find((f) => f.path === '/src/a.c')!;
  assert.deepEqual(
    [...decodeFile(fileA.path, fileA.data).lines].sort((x, y) => x[0] - y[0]),
    [
      [1, 3],
      [2, 5],
      [10, 0],
      [11, 1],
    ],
  );
});

test('lcov 2 FN:START,END,NAME records name the function, not its end line', async () => {
  const f = write('v2.info', ['SF:/src/c.c', 'FN:3,9,compute', 'FNDA:4,compute', 'DA:3,4', 'end_of_record']);
  const c = await readBuildCoverage(lcovProducts([f]), []);
  const file = decodeFile('/src/c.c', c!.files[0]!.data);
  assert.deepEqual([...file.functions], [['compute', { line: 3, hits: 4 }]]);
});

test("the reader's bounds end a tracefile with a problem and keep what came before", async () => {
  const many = write(
    'many.info',
    Array.from({ length: 50 }, (_, i) => `SF:/src/f${i}.c\nDA:1,1\nDA:2,1\nend_of_record`),
  );
  const c = await readBuildCoverage(lcovProducts([many]), [], { ...COVERAGE_LIMITS, maxRecords: 30 });
  assert.match(c!.problems.join('\n'), /more than 30 coverage records in this build; the rest is left out/);
  assert.equal(c!.totals.linesFound, 30);
  const bytes = await readBuildCoverage(lcovProducts([many]), [], { ...COVERAGE_LIMITS, maxBytes: 10 });
  assert.match(bytes!.problems.join('\n'), /more than 10 bytes of tracefiles/);
  const long = write('long.info', ['SF:/src/l.c', `DA:1,${'9'.repeat(200_000)}`, 'DA:2,1', 'end_of_record']);
  const l = await readBuildCoverage(lcovProducts([long]), []);
  assert.match(l!.problems.join('\n'), /1 malformed line skipped \(first: line 2: line too long/);
  assert.equal(l!.totals.linesFound, 1, 'the lines after the long one still count');
  const longName = write('name.info', [
    `SF:/src/${'x'.repeat(5000)}.c`,
    'DA:1,1',
    'end_of_record',
    'SF:/src/ok.c',
    `FN:1,${'f'.repeat(5000)}`,
    'DA:1,1',
    'end_of_record',
  ]);
  const n = await readBuildCoverage(lcovProducts([longName]), []);
  assert.deepEqual(
    n!.files.map((f) => f.path),
    ['/src/ok.c'],
    'a file with a 5,000-character name is refused, its records with it',
  );
  assert.match(n!.problems.join('\n'), /3 malformed lines skipped \(first: line 1: source file name too long/);
  const names = await readBuildCoverage(lcovProducts([many]), [], { ...COVERAGE_LIMITS, maxNameChars: 100 });
  assert.match(names!.problems.join('\n'), /more than 100 characters of file and function names/);
  const missing = await readBuildCoverage(lcovProducts([join(dir, 'missing.info')]), []);
  assert.equal(missing, null, 'a product that does not exist is no tracefile');
});

test('paths read relative to their source; anything else is shown as written and marked', () => {
  assert.deepEqual(displayPath('/nix/store/0123456789abcdfghijklmnpqrsvwxyz-source/src/main.c'), {
    path: 'src/main.c',
    outside: false,
  });
  assert.deepEqual(displayPath('/nix/store/0123456789abcdfghijklmnpqrsvwxyz-nixos-example-programs/tinydb.c'), {
    path: 'nixos-example-programs/tinydb.c',
    outside: false,
  });
  assert.deepEqual(displayPath('/build/source/lib/x.c'), { path: 'lib/x.c', outside: false });
  assert.deepEqual(displayPath('/tmp/nix-build-foo.drv-0/foo-1.0/src/y.c'), { path: 'src/y.c', outside: false });
  assert.deepEqual(displayPath('/nix/store/0123456789abcdfghijklmnpqrsvwxyz-source/../../etc/passwd'), {
    path: '/nix/store/0123456789abcdfghijklmnpqrsvwxyz-source/../../etc/passwd',
    outside: true,
  });
  assert.deepEqual(displayPath('../etc/passwd'), { path: '../etc/passwd', outside: true });
});
