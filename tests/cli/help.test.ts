import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { PACKAGE_ROOT } from '../../core/paths.ts';
import { SETTINGS } from '../../core/settings.ts';
import { tempDir } from '../helpers/temp.ts';

const hydrant = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(PACKAGE_ROOT, 'cli', 'hydrant.ts'), ...args], {
    encoding: 'utf8',
    cwd: PACKAGE_ROOT,
  });

test('--help explains every command and every option with its environment variable', () => {
  const r = hydrant('--help');
  assert.equal(r.status, 0);
  for (const command of ['start', 'server', 'evaluator', 'queue-runner', 'migrate'])
    assert.match(r.stdout, new RegExp(`^  ${command} `, 'm'));
  for (const s of Object.values(SETTINGS)) {
    assert.ok(r.stdout.includes(s.flag), s.flag);
    assert.ok(r.stdout.includes(s.env), s.env);
  }
});

test('an unknown option or command exits 2 with a message', () => {
  const bad = hydrant('start', '--prot', '1');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown option --prot/);
  const unknown = hydrant('frobnicate', '--state-dir', tempDir());
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown command "frobnicate"/);
});
