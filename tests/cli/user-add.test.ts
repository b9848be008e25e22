// `hydrant user add` as a user runs it: a real process, the password on stdin.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { PACKAGE_ROOT } from '../../core/paths.ts';
import { openDatabase } from '../../core/db/database.ts';
import { getUser } from '../../core/db/users.ts';
import { verifyPassword } from '../../core/password.ts';
import { tempDir } from '../helpers/temp.ts';

const dir = tempDir();
const hydrant = (args: string[], input: string) =>
  spawnSync(
    process.execPath,
    ['--import', 'tsx', join(PACKAGE_ROOT, 'cli', 'hydrant.ts'), ...args, '--state-dir', dir],
    { input, encoding: 'utf8', cwd: PACKAGE_ROOT },
  );

test('adds a user with a scrypt-hashed password and roles; running again replaces them', async () => {
  const r = hydrant(['user', 'add', 'alice', '--role', 'admin', '--role', 'restart-jobs'], 'a long password\n');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /user alice saved with roles admin, restart-jobs/);
  const db = openDatabase(join(dir, 'hydrant.sqlite'));
  try {
    const user = getUser(db, 'alice')!;
    assert.deepEqual(user.roles, ['admin', 'restart-jobs']);
    assert.match(user.password, /^scrypt\$16384\$8\$1\$/);
    assert.ok(!user.password.includes('a long password'));
    assert.ok(await verifyPassword('a long password', user.password));
    assert.ok(!(await verifyPassword('another password', user.password)));
    assert.equal(hydrant(['user', 'add', 'alice'], 'second password\n').status, 0);
    assert.deepEqual(getUser(db, 'alice')!.roles, []);
    assert.ok(await verifyPassword('second password', getUser(db, 'alice')!.password));
  } finally {
    db.close();
  }
});

test('refuses unknown roles, short passwords and unknown projects, naming the problem', () => {
  const role = hydrant(['user', 'add', 'bob', '--role', 'superuser'], 'a long password\n');
  assert.equal(role.status, 2);
  assert.match(role.stderr, /unknown role superuser; roles are admin, /);
  const short = hydrant(['user', 'add', 'bob'], 'short\n');
  assert.equal(short.status, 2);
  assert.match(short.stderr, /at least 8 characters/);
  const project = hydrant(['user', 'add', 'bob', '--member', 'nope'], 'a long password\n');
  assert.match(project.stderr, /no such project nope/);
  const db = openDatabase(join(dir, 'hydrant.sqlite'));
  try {
    assert.equal(getUser(db, 'bob'), undefined, 'nothing was saved');
  } finally {
    db.close();
  }
});
