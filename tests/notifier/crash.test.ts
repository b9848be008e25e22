import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PACKAGE_ROOT } from '../../core/paths.ts';
import { NotifierFixture } from '../helpers/notifier-fixture.ts';
import { waitFor } from '../helpers/wait.ts';
import { outboxEntries } from '../helpers/db.ts';

const ADDRESSES = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'].map((a) => `${a}@example.org`);

describe('kill -9 of the notifier process mid-send', () => {
  const f = new NotifierFixture();
  const children: ChildProcess[] = [];
  before(() => f.startMail([], { noSmtpUrl: true }));
  after(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await f.smtp.stop();
  });

  const notifierProcess = (): ChildProcess => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(PACKAGE_ROOT, 'cli', 'hydrant.ts'),
        'notifier',
        '--state-dir',
        f.stateDir,
        '--gc-roots-dir',
        f.gcRootsDir,
        '--smtp-url',
        f.smtp.url,
        '--base-url',
        'http://hydrant.test',
        '--notify-tick',
        '1',
        '--notify-retry',
        '1',
        '--log-level',
        'warn',
      ],
      { cwd: PACKAGE_ROOT, stdio: ['ignore', 'inherit', 'inherit'] },
    );
    children.push(child);
    return child;
  };

  test('without --smtp-url mail waits in the outbox, without an error per mail', async () => {
    await f.evaluation('crash', f.jobs({ a: 'ok' }), { emailoverride: ADDRESSES.join(', ') });
    await f.evaluation('crash', f.jobs({ a: 'fail' }), { emailoverride: ADDRESSES.join(', ') });
    const waiting = outboxEntries(f.db, 'email')
      .filter((e) => e.sent === null)
      .map((e) => ({ attempts: e.attempts, last_error: e.last_error }));
    assert.equal(waiting.length, 6);
    assert.deepEqual(
      new Set(waiting.map((w) => JSON.stringify(w))),
      new Set([JSON.stringify({ attempts: 0, last_error: null })]),
    );
  });

  test('nothing lost, nothing twice, the same Message-IDs', async () => {
    let release!: () => void;
    const held = f.smtp.holdAfter(
      2,
      new Promise<void>((r) => {
        release = r;
      }),
    );
    const first = notifierProcess();
    await held;
    const exited = new Promise((r) => first.once('exit', r));
    first.kill('SIGKILL');
    await exited;
    await waitFor('the server to see the connection drop', () => f.smtp.heldConnectionClosed(), 10);
    release();
    assert.equal(f.smtp.received.length, 2, 'two mails accepted before the kill; the third was cut off');
    assert.equal(outboxEntries(f.db, 'email').filter((e) => e.sent !== null).length, 2);

    const second = notifierProcess();
    await waitFor(
      'every mail',
      () => f.smtp.received.length >= 6 && outboxEntries(f.db, 'email').filter((e) => e.sent === null).length === 0,
      60,
    );
    await new Promise((r) => setTimeout(r, 2500)); // a few more ticks: nothing more may come
    second.kill('SIGTERM');
    assert.equal(f.smtp.received.length, 6);
    assert.deepEqual(f.smtp.received.map((m) => m.to[0]).sort(), ADDRESSES);
    const ids = outboxEntries(f.db, 'email');
    assert.deepEqual(
      f.smtp.received.map((m) => Number(/^<hydrant-outbox-(\d+)\./.exec(m.messageId)?.[1])).sort((a, b) => a - b),
      ids.map((r) => r.id),
    );
  });

  test('two notifier processes on one database: each mail still goes out once', async () => {
    const more = ['b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'b7', 'b8'].map((a) => `${a}@example.org`);
    await f.evaluation('twice', f.jobs({ a: 'ok' }), { emailoverride: more.join(', ') });
    await f.evaluation('twice', f.jobs({ a: 'fail' }), { emailoverride: more.join(', ') });
    const before = f.smtp.received.length;
    const one = notifierProcess();
    const two = notifierProcess();
    await waitFor('every mail', () => outboxEntries(f.db, 'email').filter((e) => e.sent === null).length === 0, 60);
    await new Promise((r) => setTimeout(r, 2500));
    one.kill('SIGTERM');
    two.kill('SIGTERM');
    assert.deepEqual(
      f.smtp.received
        .slice(before)
        .map((m) => m.to[0])
        .sort(),
      more,
    );
  });
});
