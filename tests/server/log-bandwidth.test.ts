// The log bandwidth: every log answer of a server process shares one rate, so a crowd asking
// for big logs again and again cannot take the CPU that the builds need; chunks of any size
// pass, and the rate holds over time.
import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';
import { LogBandwidth } from '../../server/log-bandwidth.ts';

const MiB = 1024 * 1024;

async function send(bandwidth: LogBandwidth, bytes: number, chunk: number): Promise<void> {
  const chunks = Array.from({ length: Math.ceil(bytes / chunk) }, () => Buffer.alloc(chunk));
  await pipeline(Readable.from(chunks), bandwidth.stage(), new Writable({ write: (_c, _e, done) => done() }));
}

test('readers sharing the bandwidth together get its rate, not each', async () => {
  const bandwidth = new LogBandwidth(20 * MiB);
  const started = performance.now();
  // Four readers of 2 MiB each: 8 MiB at 20 MiB/s is at least 0.3 s (the first tenth of a second is granted at once).
  await Promise.all(Array.from({ length: 4 }, () => send(bandwidth, 2 * MiB, 64 * 1024)));
  const seconds = (performance.now() - started) / 1000;
  assert.ok(seconds >= 0.3, `8 MiB at 20 MiB/s took ${seconds.toFixed(2)} s`);
});

/** Whether `take` resolved without waiting for any timer (before the next turn of the event loop). */
async function atOnce(take: () => Promise<void>): Promise<boolean> {
  let done = false;
  void take().then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

test('a chunk larger than the budget passes at once, and the next one pays for it', async () => {
  const bandwidth = new LogBandwidth(10 * MiB);
  const started = performance.now();
  assert.ok(await atOnce(() => bandwidth.take(5 * MiB)), 'the first chunk goes out at once');
  assert.ok(!(await atOnce(() => bandwidth.take(1))), 'the next waits');
  await bandwidth.take(1);
  const seconds = (performance.now() - started) / 1000;
  assert.ok(seconds >= 0.45, `5 MiB at 10 MiB/s were paid back after ${seconds.toFixed(2)} s`);
});

test('0 is unbounded', async () => {
  const bandwidth = new LogBandwidth(0);
  assert.ok(await atOnce(() => bandwidth.take(1e12).then(() => bandwidth.take(1e12))));
});
