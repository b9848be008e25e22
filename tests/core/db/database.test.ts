// The database wrapper's rules, enforced at run time rather than only in a comment.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NestedTransactionError, openDatabase, writeTransaction } from '../../../core/db/database.ts';

function table() {
  const db = openDatabase(':memory:');
  db.exec('CREATE TABLE t (x INTEGER)');
  const count = () => (db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n;
  return { db, count };
}

test('writeTransaction refuses to nest, and the outer transaction is rolled back with it', () => {
  const { db, count } = table();
  assert.throws(
    () =>
      writeTransaction(db, () => {
        db.exec('INSERT INTO t VALUES (1)');
        writeTransaction(db, () => db.exec('INSERT INTO t VALUES (2)'));
      }),
    NestedTransactionError,
  );
  assert.equal(count(), 0, 'nothing of the outer transaction was committed');
  assert.equal(db.inTransaction, false);
});

test('writeTransaction refuses to run inside a transaction begun by hand', () => {
  const { db } = table();
  db.exec('BEGIN');
  assert.throws(() => writeTransaction(db, () => 1), /nested transactions are not allowed/);
  db.exec('ROLLBACK');
});

test('one after another they commit, and an error rolls back only its own', () => {
  const { db, count } = table();
  writeTransaction(db, () => db.exec('INSERT INTO t VALUES (1)'));
  assert.throws(
    () =>
      writeTransaction(db, () => {
        db.exec('INSERT INTO t VALUES (2)');
        throw new Error('boom');
      }),
    /boom/,
  );
  assert.equal(
    writeTransaction(db, () => 'value'),
    'value',
  );
  assert.equal(count(), 1);
});
