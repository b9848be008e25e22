import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseProjectSpec, SpecError } from '../../../core/jobset-specs/validate.ts';

const jobset = (extra: object = {}) => ({
  nixexprinput: 'src',
  inputs: { src: { type: 'git', value: 'https://x/y.git main' } },
  ...extra,
});
const parse = (spec: object) => parseProjectSpec('p', JSON.stringify(spec), 'jobsets/p.json');

test('a valid spec gets Hydra defaults', () => {
  const p = parse({ displayname: 'P', jobsets: { trunk: jobset() } });
  assert.equal(p.displayname, 'P');
  const j = p.jobsets[0]!;
  assert.equal(j.enabled, 1);
  assert.equal(j.nixexprpath, 'release.nix');
  assert.equal(j.checkinterval, 300);
  assert.equal(j.schedulingshares, 100);
  assert.deepEqual(j.inputs, [{ name: 'src', type: 'git', value: 'https://x/y.git main', emailresponsible: false }]);
});

test('unknown keys are rejected with the file, jobset and key named; other jobsets survive', () => {
  const p = parse({ jobsets: { bad: jobset({ checkintreval: 5 }), good: jobset() } });
  assert.deepEqual(
    p.jobsets.map((j) => j.name),
    ['good'],
  );
  assert.equal(p.invalidJobsets[0]!.name, 'bad');
  assert.match(p.invalidJobsets[0]!.error, /^jobsets\/p\.json, jobset "bad": unknown key "checkintreval"/);
});

test('project-level mistakes reject the whole file', () => {
  assert.throws(
    () => parse({ jobset: {} }),
    (e: Error) => e instanceof SpecError && /jobsets\/p\.json: unknown key "jobset"/.test(e.message),
  );
  assert.throws(() => parseProjectSpec('p', '{', 'f.json'), /f\.json: not valid JSON/);
  assert.throws(() => parseProjectSpec('bad name', '{}', 'f.json'), /project names/);
});

test('values are checked: enabled states, numbers, input types, expression input', () => {
  const errorOf = (extra: object) => parse({ jobsets: { j: jobset(extra) } }).invalidJobsets[0]?.error ?? '';
  assert.match(errorOf({ enabled: 7 }), /"enabled" must be 0 \(disabled\), 1 \(enabled\), 2 \(one-shot\) or 3/);
  assert.match(errorOf({ checkinterval: -1 }), /"checkinterval" must be a whole number ≥ 0/);
  assert.match(errorOf({ schedulingshares: 0 }), /"schedulingshares" must be a whole number ≥ 1/);
  assert.match(
    errorOf({ inputs: { src: { type: 'svn', value: 'x' } } }),
    /input "src": "type" must be one of git, string/,
  );
  assert.match(
    errorOf({ nixexprinput: 'nope' }),
    /"nixexprinput" names "nope", which is not one of its inputs \(src\)/,
  );
  assert.match(errorOf({ nixexprpath: '../../etc/passwd' }), /must be a relative path inside the input/);
  assert.match(
    errorOf({ inputs: { src: { type: 'git', value: 'x' }, flag: { type: 'boolean', value: 'yes' } } }),
    /"true" or "false"/,
  );
  assert.equal(parse({ jobsets: { j: jobset({ enabled: 2 }) } }).jobsets[0]!.enabled, 2);
});
