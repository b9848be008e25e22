import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { getBuild } from '../../core/db/builds.ts';
import { NotifierFixture } from '../helpers/notifier-fixture.ts';
import { rawHeaders } from '../helpers/smtp.ts';

const ALICE = 'alice@example.org';

describe('notification mail (real builds, real SMTP server)', () => {
  const f = new NotifierFixture();
  before(() => f.startMail());
  after(() => f.smtp.stop());

  test(`a regression is mailed once to the maintainer, with Hydra headers, \
both parts and the end of the log`, async () => {
    await f.evaluation('reg', f.jobs({ a: 'ok' }, ALICE));
    assert.equal(f.mailsOf('reg').length, 0, 'a first success is not news');
    const ids = await f.evaluation('reg', f.jobs({ a: 'fail' }, ALICE));
    const mails = f.mailsOf('reg');
    assert.equal(mails.length, 1);
    const { mail, to } = mails[0]!;
    assert.deepEqual(to, [ALICE]);
    assert.equal(mail.subject, 'Failed: hydrant job p:reg:a');
    assert.equal(mail.headers.get('x-hydra-instance'), 'hydrant.test');
    assert.equal(mail.headers.get('x-hydra-project'), 'p');
    assert.equal(mail.headers.get('x-hydra-job'), 'a');
    assert.ok(mail.headers.get('x-hydra-system'));
    assert.deepEqual(rawHeaders(mails[0]!.raw, 'List-Id'), ['<p.reg.hydrant-test>']);
    assert.match(
      rawHeaders(mails[0]!.raw, 'List-Unsubscribe')[0]!,
      /^<http:\/\/hydrant\.test\/unsubscribe\?address=alice%40example\.org&project=p&token=[\w-]+>$/,
    );
    assert.deepEqual(rawHeaders(mails[0]!.raw, 'List-Unsubscribe-Post'), ['List-Unsubscribe=One-Click']);
    assert.ok(mail.html && mail.text, 'an HTML and a plain-text part');
    assert.match(
      mail.text ?? '',
      new RegExp(`Failed \\(was Succeeded\\): p:reg:a .*\\n  http://hydrant.test/build/${ids.a}`),
    );
    assert.match(mail.text ?? '', /\| error: <b>boom<\/b> in a/, 'the plain part has the end of the log as it is');
    assert.match(String(mail.html), /error: &#60;b&#62;boom&#60;\/b&#62; in a/, 'the HTML part escapes it');
    assert.match(mails[0]!.messageId, /^<hydrant-outbox-\d+\.[0-9a-f]{16}@hydrant\.test>$/);
  });

  test('a fix is mailed; a failure that stays failed is not', async () => {
    await f.evaluation('fix', f.jobs({ a: 'ok' }, ALICE));
    await f.evaluation('fix', f.jobs({ a: 'fail' }, ALICE));
    await f.evaluation('fix', f.jobs({ a: 'fail' }, ALICE));
    assert.equal(f.mailsOf('fix').length, 1, 'failed again: nothing new');
    await f.evaluation('fix', f.jobs({ a: 'ok' }, ALICE));
    const mails = f.mailsOf('fix');
    assert.equal(mails.length, 2);
    assert.equal(mails[1]!.mail.subject, 'Success: hydrant job p:fix:a');
    assert.match(mails[1]!.mail.text ?? '', /Succeeded \(was Failed\)/);
  });

  test('flapping: each change is mailed once', async () => {
    for (const s of ['ok', 'fail', 'ok', 'fail', 'ok'] as const) await f.evaluation('flap', f.jobs({ a: s }, ALICE));
    assert.deepEqual(
      f.mailsOf('flap').map((m) => m.mail.subject?.split(':')[0]),
      ['Failed', 'Success', 'Failed', 'Success'],
    );
    await f.notifier.runOnce();
    assert.equal(f.mailsOf('flap').length, 4, 'running again sends nothing twice');
  });

  test('an aborted build in between is skipped on both sides', async () => {
    await f.evaluation('abort', f.jobs({ a: 'ok' }, ALICE));
    await f.abortedEvaluation('abort', f.jobs({ a: 'ok' }, ALICE));
    await f.evaluation('abort', f.jobs({ a: 'ok' }, ALICE));
    assert.equal(f.mailsOf('abort').length, 0, 'success, aborted, success: nothing changed');
    await f.abortedEvaluation('abort', f.jobs({ a: 'ok' }, ALICE));
    await f.evaluation('abort', f.jobs({ a: 'fail' }, ALICE));
    const mails = f.mailsOf('abort');
    assert.equal(mails.length, 1);
    assert.match(
      mails[0]!.mail.text ?? '',
      /Failed \(was Succeeded\)/,
      'compared with the success before the aborted build',
    );
  });

  test('a dependency failure is listed under the build that caused it, not mailed on its own', async () => {
    await f.evaluation('dep', f.jobs({ lib: 'ok', app: { dependsOn: 'lib' }, tool: { dependsOn: 'lib' } }, ALICE));
    const ids = await f.evaluation(
      'dep',
      f.jobs({ lib: 'fail', app: { dependsOn: 'lib' }, tool: { dependsOn: 'lib' } }, ALICE),
    );
    const rows = [ids.app!, ids.lib!, ids.tool!].map((id) => {
      const { job, buildstatus } = getBuild(f.db, id)!;
      return { job, buildstatus };
    });
    assert.deepEqual(rows, [
      { job: 'app', buildstatus: 2 },
      { job: 'lib', buildstatus: 1 },
      { job: 'tool', buildstatus: 2 },
    ]);
    const mails = f.mailsOf('dep');
    assert.equal(mails.length, 1, 'one mail for the cause and its dependents');
    assert.equal(mails[0]!.mail.subject, 'Failed: hydrant job p:dep:lib');
    assert.match(
      mails[0]!.mail.text ?? '',
      new RegExp(
        /p:dep:lib [^\n]*\n[^\n]*\n {2}Because of it, 2 more failed \(dependency failed\):\n/.source +
          / {4}- p:dep:app [^\n]*\n {4}- p:dep:tool /.source,
      ),
    );
  });

  test('three regressions in one evaluation: one mail per recipient', async () => {
    const bob = 'Bob <bob@example.org>';
    const body = (s: 'ok' | 'fail') =>
      f.jobs({
        x: s === 'ok' ? { ok: true, maintainers: ALICE } : { fail: true, maintainers: ALICE },
        y: s === 'ok' ? { ok: true, maintainers: `${ALICE}, ${bob}` } : { fail: true, maintainers: `${ALICE}, ${bob}` },
        z: s === 'ok' ? { ok: true, maintainers: bob } : { fail: true, maintainers: bob },
      });
    await f.evaluation('three', body('ok'));
    await f.evaluation('three', body('fail'));
    const mails = f.mailsOf('three');
    assert.deepEqual(mails.map((m) => m.to[0]).sort(), [ALICE, 'bob@example.org']);
    for (const m of mails) {
      assert.equal(m.mail.subject, 'Failed: hydrant job p:three:x (and 2 others)');
      assert.equal((m.mail.text ?? '').match(/^Failed \(was Succeeded\)/gm)?.length, 3);
    }
  });

  test('emailoverride replaces the maintainers', async () => {
    await f.evaluation('override', f.jobs({ a: 'ok' }, ALICE), { emailoverride: 'team@example.org, lead@example.org' });
    await f.evaluation('override', f.jobs({ a: 'fail' }, ALICE), {
      emailoverride: 'team@example.org, lead@example.org',
    });
    assert.deepEqual(
      f
        .mailsOf('override')
        .map((m) => m.to[0])
        .sort(),
      ['lead@example.org', 'team@example.org'],
    );
  });

  test('50 jobs regress in one evaluation: one mail per recipient', async () => {
    const names = Array.from({ length: 50 }, (_, i) => `job${String(i).padStart(2, '0')}`);
    await f.evaluation('fifty', f.jobs(Object.fromEntries(names.map((n) => [n, 'ok' as const])), ALICE), {
      emailoverride: 'team@example.org',
    });
    await f.evaluation('fifty', f.jobs(Object.fromEntries(names.map((n) => [n, 'fail' as const])), ALICE), {
      emailoverride: `team@example.org, ${ALICE}`,
    });
    const mails = f.mailsOf('fifty');
    assert.deepEqual(mails.map((m) => m.to[0]).sort(), [ALICE, 'team@example.org']);
    assert.equal(mails[0]!.mail.subject, 'Failed: hydrant job p:fifty:job00 (and 49 others)');
    assert.match(mails[0]!.mail.text ?? '', /^50 jobs of p:fifty changed status in evaluation \d+\./);
    assert.equal((mails[0]!.mail.text ?? '').match(/^Failed \(was Succeeded\)/gm)?.length, 50);
    assert.ok(
      (mails[0]!.mail.text ?? '').split('End of the log:').length - 1 <= 5,
      'log ends of a few jobs, not of 50',
    );
  });
});
