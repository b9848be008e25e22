// The product Hydra records for a build that declares none (Hydra's queue runner:
// subprojects/crates/nix-support/src/lib.rs, "No explicit products — add the output itself
// as a nix-build product"): channels and /eval/N/store-paths list only such builds.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readOutputFacts } from '../../queue-runner/output-facts.ts';
import { tempDir } from '../helpers/temp.ts';

const dir = tempDir('hydrant-products-');
const hash = 'a'.repeat(32);

test('an output directory without hydra-build-products becomes a nix-build product', async () => {
  const out = join(dir, `${hash}-hello-1.0`);
  const dev = join(dir, `${'b'.repeat(32)}-hello-1.0-dev`);
  mkdirSync(out);
  mkdirSync(dev);
  const facts = await readOutputFacts({ out, dev });
  assert.deepEqual(facts.products, [
    { type: 'nix-build', subtype: '', path: out, name: 'hello-1.0', defaultpath: '', filesize: null, sha256hash: null },
    { type: 'nix-build', subtype: 'dev', path: dev, name: 'hello-1.0-dev', defaultpath: '', filesize: null, sha256hash: null },
  ]);
});

test('an output that is a plain file, or that declares products, gets no default product', async () => {
  const file = join(dir, `${'c'.repeat(32)}-script`);
  writeFileSync(file, '#!/bin/sh\n');
  assert.deepEqual((await readOutputFacts({ out: file })).products, []);
  const declared = join(dir, `${'d'.repeat(32)}-docs`);
  mkdirSync(join(declared, 'nix-support'), { recursive: true });
  writeFileSync(join(declared, 'index.html'), '<p>docs</p>');
  writeFileSync(join(declared, 'nix-support', 'hydra-build-products'), `doc manual ${declared} index.html\n`);
  assert.deepEqual((await readOutputFacts({ out: declared })).products.map((p) => p.type), ['doc']);
});
