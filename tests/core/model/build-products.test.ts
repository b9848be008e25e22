import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseBuildProducts, parseMetrics } from '../../../core/model/build-products.ts';

const out = '/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-x';

test('products inside the output are accepted, with quoted paths and default paths', () => {
  const r = parseBuildProducts(`file doc ${out}/a.txt\nreport coverage "${out}/my report" index.html\n\n# comment\n`, [
    out,
  ]);
  assert.deepEqual(r.rejected, []);
  assert.deepEqual(r.products, [
    { type: 'file', subtype: 'doc', path: `${out}/a.txt`, defaultpath: null },
    { type: 'report', subtype: 'coverage', path: `${out}/my report`, defaultpath: 'index.html' },
  ]);
});

test('hostile paths are rejected: outside the output, traversal, prefixes, absolute default paths', () => {
  const hostile = [
    'file doc /etc/passwd',
    `file doc ${out}/../../../etc/passwd`,
    `file doc ${out}-evil/x`,
    'file doc relative/path',
    `report html ${out}/dir /etc/passwd`,
    `report html ${out}/dir ../../x`,
    `fi<le doc ${out}/x`,
    'only two',
  ];
  const r = parseBuildProducts(hostile.join('\n'), [out]);
  assert.deepEqual(r.products, []);
  assert.equal(r.rejected.length, hostile.length);
});

test('metrics: NAME VALUE [UNIT], malformed lines skipped', () => {
  assert.deepEqual(parseMetrics('time 1.5 s\ncount 3\nbad\nnan NaNx\n<script> 1\n'), [
    { name: 'time', value: 1.5, unit: 's' },
    { name: 'count', value: 3, unit: null },
  ]);
});
