import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { ConfigError, readConfig } from '../../../core/config.ts';
import { addressesIn, uniqueAddresses } from '../../../core/mail/addresses.ts';
import { escapeHtml, headerValue, plainText } from '../../../core/mail/escape.ts';
import { logEnd } from '../../../core/mail/log-end.ts';
import { unsubscribeToken, validUnsubscribeToken } from '../../../core/mail/unsubscribe.ts';
import { tempDir } from '../../helpers/temp.ts';

test('mail settings: defaults, the global switch, and a clear error for a bad SMTP URL', () => {
  const { config } = readConfig(['--base-url', 'https://ci.example.org/'], {});
  assert.equal(config.smtpUrl, null);
  assert.equal(config.emailFrom, 'hydrant@ci.example.org');
  assert.equal(config.emailEnabled, true);
  assert.equal(config.blameMax, 10);
  assert.equal(
    readConfig([], { HYDRANT_EMAIL: 'false', HYDRANT_SMTP_URL: 'smtps://u:p@mail.example.org:465' }).config
      .emailEnabled,
    false,
  );
  assert.throws(
    () => readConfig(['--email', 'maybe'], {}),
    (e: Error) => e instanceof ConfigError && /--email .* must be true or false/.test(e.message),
  );
  assert.throws(
    () => readConfig(['--smtp-url', 'mail.example.org:25'], {}),
    /--smtp-url .* must look like smtp:\/\/HOST:PORT/,
  );
  assert.throws(
    () => readConfig(['--smtp-url', 'http://u:secret@x'], {}),
    (e: Error) => !e.message.includes('secret'),
    'the password is not echoed',
  );
});

test('addresses are taken only where they are plainly addresses', () => {
  assert.deepEqual(addressesIn('Ada Lovelace <ada@example.org>, bob@example.org; "x\r\nBcc: y" <c@example.org>'), [
    'ada@example.org',
    'bob@example.org',
    'c@example.org',
  ]);
  assert.deepEqual(addressesIn('no address, @foo, foo@bar'), []);
  assert.deepEqual(uniqueAddresses(['A@example.org', 'a@example.org', 'b@example.org']), [
    'A@example.org',
    'b@example.org',
  ]);
});

test('escaping: HTML entities, one-line headers, plain text without terminal codes', () => {
  assert.equal(escapeHtml(`<a href="x" onclick='y'>&`), '&#60;a href=&#34;x&#34; onclick=&#39;y&#39;&#62;&#38;');
  assert.equal(headerValue('a\r\nBcc: b\u2028c'), 'a Bcc: b c');
  assert.equal(headerValue('x'.repeat(300)).length, 200);
  assert.equal(plainText('\u001b[31;1mred\u001b[0m\r\nnext\u0007'), 'red\nnext');
});

test('unsubscribe tokens are bound to the address (any case) and the project', () => {
  const t = unsubscribeToken('k', 'Ada@Example.org', 'p');
  assert.ok(validUnsubscribeToken('k', 'ada@example.org', 'p', t));
  assert.ok(!validUnsubscribeToken('k', 'ada@example.org', 'q', t));
  assert.ok(!validUnsubscribeToken('other key', 'ada@example.org', 'p', t));
  assert.ok(!validUnsubscribeToken('k', 'ada@example.org', 'p', t.slice(1)));
});

test('the end of a log: plain or gzipped, the last lines only, null when unreadable', async () => {
  const dir = tempDir('hydrant-log-end-');
  mkdirSync(join(dir, 'logs'));
  const big = Array.from({ length: 100_000 }, (_, i) => `line ${i}`).join('\n') + '\n';
  writeFileSync(join(dir, 'logs/1.log'), big);
  writeFileSync(join(dir, 'logs/2.log.gz'), gzipSync(big));
  writeFileSync(join(dir, 'logs/3.log.gz'), 'not gzip');
  assert.equal(await logEnd(dir, 'logs/1.log', 3), 'line 99997\nline 99998\nline 99999');
  assert.equal(
    await logEnd(dir, 'logs/2.log', 2),
    'line 99998\nline 99999',
    'the .gz when the plain log was compressed',
  );
  assert.equal(await logEnd(dir, 'logs/3.log.gz'), null);
  assert.equal(await logEnd(dir, '../etc/passwd'), null);
});
