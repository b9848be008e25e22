// The pool of build connections of one machine: a connection opened ahead of the first step is
// handed to it, one that fails to open is no error until a step asks, and one that opens after
// the pool was closed (hydrant stopping, the machine gone from the machines file) is closed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BuildConnection } from '../../core/nix/nix.ts';
import { ConnectionPool } from '../../queue-runner/connection-pool.ts';

class FakeConnection implements BuildConnection {
  alive = true;
  build(): never {
    throw new Error('not used');
  }
  narSize(): never {
    throw new Error('not used');
  }
  close(): void {
    this.alive = false;
  }
}

/** An open() whose connections come when the test says so. */
function slowOpener() {
  const opened: FakeConnection[] = [];
  const pending: (() => void)[] = [];
  const open = () =>
    new Promise<BuildConnection>((resolve) =>
      pending.push(() => {
        const c = new FakeConnection();
        opened.push(c);
        resolve(c);
      }),
    );
  return { open, opened, finish: () => pending.shift()!() };
}

test('prewarm opens one connection, and the first step waits for it instead of opening another', async () => {
  const o = slowOpener();
  const pool = new ConnectionPool(o.open);
  pool.prewarm();
  pool.prewarm();
  assert.equal(pool.ready, false);
  const acquired = pool.acquire();
  o.finish();
  const conn = await acquired;
  assert.equal(o.opened.length, 1, 'one Nix started, not two');
  assert.equal(conn, o.opened[0]);
  pool.release(conn);
  assert.equal(pool.ready, true);
  assert.equal(await pool.acquire(), conn, 'kept between steps');
});

test('a prewarm that fails is forgotten; the step that asks opens one itself', async () => {
  let tries = 0;
  const pool = new ConnectionPool(async () => {
    if (tries++ === 0) throw new Error('nix-store cannot start');
    return new FakeConnection();
  });
  pool.prewarm();
  const conn = await pool.acquire();
  assert.equal(conn.alive, true);
  assert.equal(tries, 2);
});

test('a connection that opens or comes back after closeAll is closed, not kept', async () => {
  const o = slowOpener();
  const pool = new ConnectionPool(o.open);
  pool.prewarm();
  const inUse = new FakeConnection();
  pool.closeAll();
  o.finish();
  await new Promise((r) => setImmediate(r));
  assert.equal(o.opened[0]!.alive, false, 'the late prewarmed connection');
  pool.release(inUse);
  assert.equal(inUse.alive, false, 'a connection a running step gives back');
  assert.equal(pool.ready, false);
});
