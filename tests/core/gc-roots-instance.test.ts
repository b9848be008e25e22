// Two hydrants on one machine (two state directories) root under directories of their own,
// both where Nix honours roots, so one's pruning never removes the other's roots.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readConfig } from '../../core/config.ts';
import { GcRoots } from '../../core/gc-roots.ts';
import { optionFlags } from '../../core/nix/options.ts';
import { tempDir } from '../helpers/temp.ts';

const dir = tempDir();
const made: string[] = [];
after(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

test('the default garbage-collector roots directory is one per state directory, under /nix/var/nix/gcroots', () => {
  const a = readConfig(['--state-dir', join(dir, 'one', 'state')], {}, dir).config.gcRootsDir;
  const b = readConfig(['--state-dir', join(dir, 'two', 'state')], {}, dir).config.gcRootsDir;
  assert.notEqual(a, b);
  for (const d of [a, b]) assert.match(d, /^\/nix\/var\/nix\/gcroots\/hydrant\/state-[0-9a-f]{12}$/);
  assert.equal(
    readConfig(['--state-dir', join(dir, 'one', 'state')], {}, dir).config.gcRootsDir,
    a,
    'stable for a state directory',
  );
  assert.equal(
    readConfig(['--state-dir', join(dir, 'one', 'state'), '--gc-roots-dir', '/elsewhere'], {}, dir).config.gcRootsDir,
    '/elsewhere',
  );
});

test("one instance's pruning leaves the other's roots, and Nix honours both", async () => {
  const [a, b] = ['one', 'two'].map(
    (n) => readConfig(['--state-dir', join(dir, n, 'state')], {}, dir).config.gcRootsDir,
  );
  made.push(a!, b!);
  const path = execFileSync(
    'nix-store',
    ['--add', join(import.meta.dirname, 'gc-roots-instance.test.ts'), ...optionFlags()],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  ).trim();
  const first = new GcRoots(a!);
  const second = new GcRoots(b!);
  assert.equal(first.add([path]), 1);
  assert.equal(second.add([path]), 1);
  assert.equal(await second.prune(new Set(), Date.now() + 60_000), 1);
  assert.deepEqual(first.list(), [path]);
  assert.ok(existsSync(join(a!, path.slice('/nix/store/'.length))));
  const roots = execFileSync('nix-store', ['--gc', '--print-roots', ...optionFlags()], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  assert.ok(roots.includes(`${a}/${path.slice('/nix/store/'.length)} -> ${path}`), 'Nix sees the root');
});
