import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setSubscribed, unsubscribeAddress } from '../../core/db/notify-recipients.ts';
import { saveUser } from '../../core/db/users.ts';
import { NotifierFixture } from '../helpers/notifier-fixture.ts';
import { outboxEntries, unbatchedChangeCount } from '../helpers/db.ts';

const ALICE = 'alice@example.org';

describe('enableemail off: only subscribers', () => {
  const f = new NotifierFixture();
  before(() => f.startMail());
  after(() => f.smtp.stop());

  test('maintainers get nothing, a subscribed user gets the mail', async () => {
    saveUser(f.db, { username: 'sam', passwordHash: 'x', roles: [], email: 'sam@example.org' });
    await f.evaluation('quiet', f.jobs({ a: 'ok' }, ALICE), { enableemail: false });
    setSubscribed(f.db, 'sam', 'p', 'quiet', true);
    await f.evaluation('quiet', f.jobs({ a: 'fail' }, ALICE), { enableemail: false });
    assert.deepEqual(
      f.mailsOf('quiet').map((m) => m.to[0]),
      ['sam@example.org'],
    );
  });
});

describe('the global switch (--email false)', () => {
  const f = new NotifierFixture();
  before(() => f.startMail(['--email', 'false']));
  after(() => f.smtp.stop());

  test('no mail is composed or sent; the change is still handled', async () => {
    await f.evaluation('off', f.jobs({ a: 'ok' }, ALICE));
    await f.evaluation('off', f.jobs({ a: 'fail' }, ALICE));
    assert.equal(f.smtp.received.length, 0);
    assert.equal(outboxEntries(f.db, 'email').length, 0);
    assert.equal(unbatchedChangeCount(f.db), 0);
  });
});

describe('unsubscribing while mail waits', () => {
  const f = new NotifierFixture();
  before(() => f.startMail(['--notify-retry', '1'], { smtpDown: true }));
  after(() => f.smtp.stop());

  test('mail composed before the unsubscribe is not sent after it', async () => {
    await f.evaluation('late', f.jobs({ a: 'ok' }, ALICE), { emailoverride: `${ALICE}, bob@example.org` });
    await f.evaluation('late', f.jobs({ a: 'fail' }, ALICE), { emailoverride: `${ALICE}, bob@example.org` });
    unsubscribeAddress(f.db, ALICE, 'p');
    await f.smtp.start(f.smtp.port);
    await new Promise((r) => setTimeout(r, 1100));
    await f.notifier.runOnce();
    assert.deepEqual(
      f.smtp.received.map((m) => m.to[0]),
      ['bob@example.org'],
    );
    const skipped = outboxEntries(f.db, 'email').find((e) => e.recipient === ALICE)!;
    assert.match(skipped.last_error ?? '', /unsubscribed/);
  });
});
