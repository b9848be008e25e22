import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { addWebhook } from '../../core/db/webhooks.ts';
import { NotifierFixture } from '../helpers/notifier-fixture.ts';
import { freePort } from '../helpers/smtp.ts';
import { waitFor } from '../helpers/wait.ts';
import { outboxEntries } from '../helpers/db.ts';

const ALICE = 'alice@example.org';

describe('SMTP server down, then up', () => {
  const f = new NotifierFixture();
  before(() => f.startMail(['--notify-retry', '1'], { smtpDown: true }));
  after(() => f.smtp.stop());

  test('every mail waits with its error, then is delivered once', async () => {
    for (const js of ['down1', 'down2'])
      await f.evaluation(js, f.jobs({ a: 'ok', b: 'ok' }, ALICE), { emailoverride: 'x@example.org, y@example.org' });
    for (const js of ['down1', 'down2'])
      await f.evaluation(js, f.jobs({ a: 'fail', b: 'ok' }, ALICE), { emailoverride: 'x@example.org, y@example.org' });
    await f.notifier.runOnce();
    const waiting = outboxEntries(f.db, 'email').filter((e) => e.sent === null);
    assert.equal(waiting.length, 4);
    for (const w of waiting) assert.match(w.last_error ?? '', /ECONNREFUSED/);
    await f.smtp.start(f.smtp.port);
    await waitFor(
      'all four mails',
      async () => {
        await f.notifier.runOnce();
        return f.smtp.received.length >= 4;
      },
      30,
    );
    await new Promise((r) => setTimeout(r, 2500));
    await f.notifier.runOnce();
    assert.equal(f.smtp.received.length, 4, 'once each');
    assert.equal(new Set(f.smtp.received.map((m) => m.messageId)).size, 4);
    assert.deepEqual(f.smtp.received.map((m) => `${m.mail.headers.get('x-hydra-jobset')} ${m.to[0]}`).sort(), [
      'down1 x@example.org',
      'down1 y@example.org',
      'down2 x@example.org',
      'down2 y@example.org',
    ]);
    assert.equal(outboxEntries(f.db).filter((e) => e.sent === null).length, 0);
  });
});

describe('webhooks', () => {
  const f = new NotifierFixture();
  const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
  let answer = 503;
  const http = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(answer).end();
    });
  });
  let url = '';
  let port = 0;
  before(async () => {
    await f.startMail(['--notify-retry', '1']);
    port = await freePort();
    url = `http://127.0.0.1:${port}/hook`;
  });
  after(async () => {
    await f.smtp.stop();
    http.close();
  });

  test('a change is POSTed as signed JSON, and retried while the endpoint is down or fails', async () => {
    await f.evaluation('hooked', f.jobs({ a: 'ok' }, ALICE));
    addWebhook(f.db, { project: 'p', jobset: 'hooked', url, secret: 's3cret' });
    addWebhook(f.db, { project: 'p', jobset: 'other', url: `${url}/other`, secret: 'x' });
    await f.evaluation('hooked', f.jobs({ a: 'fail' }, ALICE));
    const row = () =>
      outboxEntries(f.db, 'webhook').map((e) => ({ attempts: e.attempts, last_error: e.last_error }))[0];
    assert.deepEqual(row(), { attempts: 1, last_error: 'fetch failed: ECONNREFUSED' }, 'nothing listens yet');
    await new Promise<void>((r) => http.listen(port, '127.0.0.1', () => r()));
    await waitFor(
      'the first retry',
      async () => {
        await f.notifier.runOnce();
        return received.length >= 1;
      },
      30,
    );
    assert.equal(received.length, 1, "the other jobset's hook is not called");
    assert.deepEqual(row(), { attempts: 2, last_error: `HTTP 503 from ${url}` });
    answer = 200;
    await waitFor(
      'the retry',
      async () => {
        await f.notifier.runOnce();
        return received.length >= 2;
      },
      30,
    );
    const last = received[1]!;
    const expected = `sha256=${createHmac('sha256', 's3cret').update(last.body).digest('hex')}`;
    assert.equal(last.headers['x-hydrant-signature-256'], expected);
    assert.equal(last.body, received[0]!.body, 'the retry sends the same body');
    const body = JSON.parse(last.body) as {
      event: string;
      project: string;
      jobset: string;
      changes: { job: string; kind: string; oldStatus: number; newStatus: number }[];
    };
    assert.equal(body.event, 'build-status-changed');
    assert.deepEqual(
      body.changes.map((c) => [c.job, c.kind, c.oldStatus, c.newStatus]),
      [['a', 'regression', 0, 1]],
    );
    await new Promise((r) => setTimeout(r, 1500));
    await f.notifier.runOnce();
    assert.equal(received.length, 2, 'delivered: not sent again');
  });
});
