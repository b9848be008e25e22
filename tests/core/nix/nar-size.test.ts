// The NAR size hydrant computes from the file system must be the one Nix records.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { narSize } from '../../../core/nix/nar-size.ts';
import { optionFlags } from '../../../core/nix/options.ts';
import { tempDir } from '../../helpers/temp.ts';

const nix = (...args: string[]) =>
  spawnSync('nix-store', [...args, ...optionFlags()], { encoding: 'utf8' }).stdout.trim();

test("narSize of files, executables, symlinks and nested directories equals Nix's", () => {
  const root = join(tempDir(), `nar-${process.pid}-${Date.now()}`);
  mkdirSync(join(root, 'deep', 'er', 'still'), { recursive: true });
  writeFileSync(join(root, 'empty'), '');
  writeFileSync(join(root, 'seven-b'), '1234567');
  writeFileSync(join(root, 'eight-b'), '12345678');
  writeFileSync(join(root, 'deep', 'er', 'still', 'report.txt'), 'x'.repeat(10_001));
  writeFileSync(join(root, 'run.sh'), '#!/bin/sh\necho hi\n');
  chmodSync(join(root, 'run.sh'), 0o755);
  symlinkSync('deep/er/still/report.txt', join(root, 'link'));
  symlinkSync('/nowhere/at/all/x', join(root, 'dangling'));
  writeFileSync(join(root, 'ünïcödé name'), 'utf-8 in a name');
  const single = join(tempDir(), `single-${process.pid}-${Date.now()}`);
  writeFileSync(single, 'just one file\n');
  for (const path of [root, single]) {
    const stored = nix('--add', path);
    assert.match(stored, /^\/nix\/store\//);
    assert.equal(narSize(stored), Number(nix('-q', '--size', stored)), path);
  }
});
