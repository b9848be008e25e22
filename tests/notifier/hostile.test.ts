import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { NotifierFixture } from '../helpers/notifier-fixture.ts';
import { rawHeaders } from '../helpers/smtp.ts';

// A job name is whatever the expression's attribute is called: anyone who can push chooses it.
const EVIL = 'x\r\nBcc: evil@evilhost\r\nX-Injected: yes <img src=x onerror=alert(1)>';

describe('hostile job names', () => {
  const f = new NotifierFixture();
  before(() => f.startMail());
  after(() => f.smtp.stop());

  test('cannot add a header or a recipient, and are escaped in the HTML part', async () => {
    await f.evaluation(
      'evil',
      f.jobs({ [EVIL]: 'ok' }, 'alice@example.org, "Mallory\r\nBcc: evil2@example.org" <m@example.org>'),
    );
    await f.evaluation(
      'evil',
      f.jobs({ [EVIL]: 'fail' }, 'alice@example.org, "Mallory\r\nBcc: evil2@example.org" <m@example.org>'),
    );
    const mails = f.mailsOf('evil');
    // meta.maintainers is the pusher's to choose; what matters is one plain address per mail and no header.
    assert.deepEqual(mails.map((m) => m.to).sort(), [['alice@example.org'], ['evil2@example.org'], ['m@example.org']]);
    for (const m of mails) {
      assert.deepEqual(rawHeaders(m.raw, 'Bcc'), []);
      assert.deepEqual(rawHeaders(m.raw, 'X-Injected'), []);
      assert.equal(
        m.mail.headers.get('x-hydra-job'),
        'x Bcc: evil@evilhost X-Injected: yes <img src=x onerror=alert(1)>',
      );
      assert.equal(
        m.mail.subject,
        'Failed: hydrant job p:evil:x Bcc: evil@evilhost X-Injected: yes <img src=x onerror=alert(1)>',
      );
      assert.ok(!String(m.mail.html).includes('<img'), 'no markup from the job name in the HTML part');
      assert.doesNotMatch(m.mail.text ?? '', /^(Bcc|X-Injected):/m, 'nor a line of its own in the plain part');
      assert.match(String(m.mail.html), /&#60;img src=x onerror=alert\(1\)&#62;/);
    }
    for (const m of mails)
      assert.equal(m.mail.to && 'value' in m.mail.to ? m.mail.to.value.length : 0, 1, 'one address in To');
    assert.equal(f.smtp.received.length, 3, 'nobody else got anything');
  });
});
