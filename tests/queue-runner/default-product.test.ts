// The product Hydra records for a build that declares none (Hydra's queue runner:
// subprojects/crates/nix-support/src/lib.rs, "No explicit products — add the output itself
// as a nix-build product"): channels and /eval/N/store-paths list only such builds.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
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
    {
      type: 'nix-build',
      subtype: 'dev',
      path: dev,
      name: 'hello-1.0-dev',
      defaultpath: '',
      filesize: null,
      sha256hash: null,
    },
  ]);
});

test('an output that is a plain file, or that declares products, gets no default product', async () => {
  const file = join(dir, `${'c'.repeat(32)}-script`);
  writeFileSync(file, '#!/bin/sh\n');
  assert.deepEqual((await readOutputFacts({ out: file })).products, []);
  // Products are read only from inside a real output in the store (core/nix/inside-output.ts): a real build.
  const expr = `derivation { name = "docs-${randomUUID()}"; system = builtins.currentSystem; builder = "/bin/sh";
    PATH = "/usr/bin:/bin";
    args = [ "-c" "mkdir -p $out/nix-support && echo docs > $out/index.html &&
      echo doc manual $out/index.html > $out/nix-support/hydra-build-products" ]; }`;
  const declared = execFileSync(
    'nix-build',
    [
      '--no-out-link',
      '--option',
      'substituters',
      '',
      '--option',
      'sandbox',
      'false',
      '--option',
      'build-users-group',
      '',
      '-E',
      expr,
    ],
    { encoding: 'utf8' },
  ).trim();
  assert.deepEqual(
    (await readOutputFacts({ out: declared })).products.map((p) => p.type),
    ['doc'],
  );
});
