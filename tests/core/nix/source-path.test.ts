// The store path `nix-store --add` gives a path input, computed without Nix: checked against
// the real nix-store on every kind of entry a NAR holds.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { optionFlags } from '../../../core/nix/options.ts';
import { hashSource } from '../../../core/nix/source-path.ts';

const sourceStorePath = (path: string) => hashSource(path).storePath;
import { tempDir } from '../../helpers/temp.ts';

const nixStoreAdd = (path: string) =>
  execFileSync('nix-store', ['--add', ...optionFlags(), path], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }).trim();

test('the store path of a directory or a file is the one nix-store --add gives it', () => {
  const dir = join(tempDir(), 'input');
  mkdirSync(join(dir, 'sub', 'empty'), { recursive: true });
  writeFileSync(join(dir, 'release.nix'), `{ ... }: { } # ${randomUUID()}`);
  writeFileSync(join(dir, 'empty.txt'), '');
  writeFileSync(join(dir, 'run.sh'), '#!/bin/sh\necho hi\n');
  chmodSync(join(dir, 'run.sh'), 0o755);
  symlinkSync('release.nix', join(dir, 'link'));
  symlinkSync('/nowhere/at/all', join(dir, 'dangling'));
  // Sorted by bytes: "B" before "a", "a-b" before "a.b" before "ab".
  for (const name of ['a', 'B', 'a.b', 'a-b', 'ab', 'é']) writeFileSync(join(dir, 'sub', name), name.repeat(9));
  writeFileSync(join(dir, 'big'), Buffer.alloc(3_000_001, 7));
  assert.equal(sourceStorePath(dir), nixStoreAdd(dir));
  const file = join(dir, 'sub', 'a');
  assert.equal(sourceStorePath(file), nixStoreAdd(file));
  writeFileSync(join(dir, 'empty.txt'), 'changed');
  assert.equal(sourceStorePath(dir), nixStoreAdd(dir), 'changed contents, another path');
});
