import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../../../core/db/database.ts';
import { dumpSchema, loadMigrations, migrate } from '../../../core/db/migrate.ts';
import { PACKAGE_ROOT } from '../../../core/paths.ts';
import { tempDir } from '../../helpers/temp.ts';

test('the migrations reproduce core/db/schema.sql exactly', () => {
  const db = openDatabase(':memory:');
  migrate(db);
  const expected = readFileSync(join(PACKAGE_ROOT, 'core', 'db', 'schema.sql'), 'utf8')
    .split('\n')
    .filter((l) => !l.startsWith('--'))
    .join('\n');
  assert.equal(dumpSchema(db), expected, 'schema.sql is stale: run node --import tsx scripts/dump-schema.ts');
});

test('migrating one step at a time gives the same schema as all at once', () => {
  const all = loadMigrations();
  const stepwise = openDatabase(':memory:');
  for (let n = 1; n <= all.length; n++) migrate(stepwise, all.slice(0, n));
  const atOnce = openDatabase(':memory:');
  migrate(atOnce, all);
  assert.equal(dumpSchema(stepwise), dumpSchema(atOnce));
});

test('migrate is idempotent and records the version', () => {
  const db = openDatabase(join(tempDir(), 'h.sqlite'));
  const first = migrate(db);
  assert.equal(first.from, 0);
  const second = migrate(db);
  assert.deepEqual(second, { from: first.to, to: first.to });
  assert.equal(db.pragma('user_version', { simple: true }), loadMigrations().length);
});

test('a database from a newer hydrant is refused, not guessed at', () => {
  const db = openDatabase(':memory:');
  db.pragma('user_version = 999');
  assert.throws(() => migrate(db), /newer than this hydrant/);
});

test('connections use WAL, a busy timeout and foreign keys', () => {
  const db = openDatabase(join(tempDir(), 'h.sqlite'));
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.ok((db.pragma('busy_timeout', { simple: true }) as number) >= 1000);
  assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
});

test('builds recorded as cached failure (8) by an older hydrant become failed and cached, as in Hydra', () => {
  const db = openDatabase(':memory:');
  const all = loadMigrations();
  migrate(db, all.slice(0, 2));
  db.exec(`INSERT INTO projects (name, displayname) VALUES ('p', 'p');
           INSERT INTO jobsets (project, name) VALUES ('p', 'j');
           INSERT INTO builds (finished, timestamp, jobset_id, job, nixname, drvpath, system, buildstatus,
                               iscachedbuild)
             VALUES (1, 1, 1, 'old', 'old', '/nix/store/x-old.drv', 'x86_64-linux', 8, 0),
                    (1, 1, 1, 'dep', 'dep', '/nix/store/x-dep.drv', 'x86_64-linux', 2, 1);`);
  migrate(db, all);
  assert.deepEqual(db.prepare('SELECT job, buildstatus, iscachedbuild FROM builds ORDER BY id').all(), [
    { job: 'old', buildstatus: 1, iscachedbuild: 1 },
    { job: 'dep', buildstatus: 2, iscachedbuild: 1 },
  ]);
});
