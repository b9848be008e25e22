// The shared login limit's window: attempts count for five minutes from the first, then the
// count starts again; a right password clears the user name's count and gives the address
// its attempt back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase } from '../../../core/db/database.ts';
import { beginLoginAttempt, loginSucceeded } from '../../../core/db/login-attempts.ts';
import { migrate } from '../../../core/db/migrate.ts';

const limits = { maxPerUser: 5, maxPerAddress: 20, windowMs: 300_000 };

function fresh() {
  const db = openDatabase(':memory:');
  migrate(db);
  return db;
}

test('five attempts per user name in the window, then none until it has passed', () => {
  const db = fresh();
  const tries = (at: number, n: number) =>
    Array.from({ length: n }, () => beginLoginAttempt(db, 'ada', '10.0.0.1', limits, at));
  assert.deepEqual(tries(1_000, 6), [true, true, true, true, true, false]);
  assert.equal(beginLoginAttempt(db, 'ada', '10.0.0.1', limits, 1_000 + 299_000), false, 'still in the window');
  assert.deepEqual(tries(1_000 + 300_001, 6), [true, true, true, true, true, false], 'a new window');
});

test('twenty per address across user names; a right password clears the name and returns the attempt', () => {
  const db = fresh();
  for (let i = 0; i < 20; i++) assert.equal(beginLoginAttempt(db, `user-${i}`, '10.0.0.2', limits, 1_000), true);
  assert.equal(beginLoginAttempt(db, 'someone', '10.0.0.2', limits, 1_000), false);
  assert.equal(beginLoginAttempt(db, 'someone', '10.0.0.3', limits, 1_000), true, 'another address');
  loginSucceeded(db, 'user-0', '10.0.0.2');
  assert.equal(beginLoginAttempt(db, 'user-0', '10.0.0.2', limits, 1_000), true, 'the address got one back');
  assert.equal(beginLoginAttempt(db, 'user-1', '10.0.0.2', limits, 1_000), false);
  for (let i = 0; i < 4; i++) beginLoginAttempt(db, 'bob', '10.0.1.1', limits, 1_000);
  loginSucceeded(db, 'bob', '10.0.1.1');
  const bob = Array.from({ length: 6 }, () => beginLoginAttempt(db, 'bob', '10.0.1.1', limits, 1_000));
  assert.deepEqual(bob, [true, true, true, true, true, false], "the user name's count was cleared");
});
