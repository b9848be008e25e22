// Spec validation: every message names the file, the jobset and the offending key or value.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseProjectSpec, SpecError } from '../../../core/jobset-specs/validate.ts';

const where = 'jobsets/p.json';
const parse = (spec: unknown) => parseProjectSpec('p', JSON.stringify(spec), where);
const src = { src: { type: 'git', value: 'https://example.org/r.git' } };

test("Hydra's keys are read with their defaults", () => {
  const spec = parse({ jobsets: { j: { nixexprinput: 'src', inputs: src } } });
  assert.deepEqual(spec.invalidJobsets, []);
  const j = spec.jobsets[0]!;
  assert.deepEqual(
    [j.enabled, j.hidden, j.nixexprpath, j.checkinterval, j.schedulingshares, j.keepnr, j.enableemail],
    [1, false, 'release.nix', 300, 100, 3, false],
  );
});

const cases: [string, unknown, RegExp][] = [
  [
    'unknown jobset key',
    { nixexprinput: 'src', inputs: src, interval: 5 },
    /jobset "j": unknown key "interval" \(allowed: enabled hidden/,
  ],
  [
    'nixexprinput not an input',
    { nixexprinput: 'nope', inputs: src },
    /jobset "j": "nixexprinput" names "nope", which is not one of its inputs \(src\)/,
  ],
  [
    'nixexprinput of the wrong type',
    { nixexprinput: 's', inputs: { s: { type: 'string', value: 'x' } } },
    /must be a git or path input, "s" is string/,
  ],
  [
    'bad input type',
    { nixexprinput: 'src', inputs: { ...src, x: { type: 'svn', value: 'u' } } },
    /input "x": "type" must be one of git, string, boolean, nix, path, build, got "svn"/,
  ],
  [
    'bad boolean',
    { nixexprinput: 'src', inputs: { ...src, b: { type: 'boolean', value: 'yes' } } },
    /input "b": a boolean input's "value" must be "true" or "false", got "yes"/,
  ],
  [
    'negative checkinterval',
    { nixexprinput: 'src', inputs: src, checkinterval: -1 },
    /"checkinterval" must be a whole number ≥ 0, got -1/,
  ],
  [
    'escaping nixexprpath',
    { nixexprinput: 'src', inputs: src, nixexprpath: '../x.nix' },
    /"nixexprpath" must be a relative path inside the input/,
  ],
  [
    'flake jobset',
    { type: 1, flake: 'github:o/r' },
    /jobset "j": flake jobsets \("type": 1, "flake"\) are not supported/,
  ],
  ['bad jobset name', { nixexprinput: 'src', inputs: src }, /jobset "1bad": jobset names must match/],
];

for (const [what, jobset, message] of cases) {
  test(`rejected: ${what}`, () => {
    const name = what === 'bad jobset name' ? '1bad' : 'j';
    const spec = parse({ jobsets: { [name]: jobset, ok: { nixexprinput: 'src', inputs: src } } });
    assert.deepEqual(
      spec.jobsets.map((j) => j.name),
      ['ok'],
      'the good jobset still parses',
    );
    assert.equal(spec.invalidJobsets.length, 1);
    assert.ok(spec.invalidJobsets[0]!.error.startsWith(where), 'names the file');
    assert.match(spec.invalidJobsets[0]!.error, message);
  });
}

test('a Hydra spec\'s "type": 0 (legacy jobset) is accepted', () => {
  const spec = parse({ jobsets: { j: { type: 0, nixexprinput: 'src', inputs: src } } });
  assert.deepEqual(spec.invalidJobsets, []);
});

test('project-level errors reject the file, naming the key', () => {
  assert.throws(
    () => parse({ displayname: 'x', jobset: {} }),
    (e: Error) => e instanceof SpecError && /jobsets\/p\.json: unknown key "jobset"/.test(e.message),
  );
  assert.throws(() => parseProjectSpec('p', '[]', where), /must be a JSON object/);
});
