import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { now } from '../../core/db/database.ts';
import { bareResult, finishBuild } from '../../core/db/build-results.ts';
import { createNotifier } from '../../notifier/index.ts';
import { NotifierFixture } from '../helpers/notifier-fixture.ts';
import { setJobsetEmail } from '../helpers/db.ts';

describe('an evaluation whose builds have not all finished', () => {
  const f = new NotifierFixture();
  before(() => f.startMail());
  after(() => f.smtp.stop());

  test('waits for them, and after --email-wait sends what has changed so far; the rest follows once', async () => {
    await f.evaluation('slow', f.jobs({ fast: 'ok', slow: 'ok' }, 'alice@example.org'));
    // The next evaluation's builds, finished one by one the way the queue runner records them.
    const ids = await f.queue(f.jobs({ fast: 'fail', slow: 'fail' }, 'alice@example.org'), 'slow');
    setJobsetEmail(f.db, { project: 'p', name: 'slow' }, true);
    finishBuild(f.db, ids.fast!, bareResult(1, now()));
    await f.notifier.runOnce();
    assert.equal(f.mailsOf('slow').length, 0, 'the evaluation is not finished and the wait (an hour) is not over');

    const impatient = createNotifier(
      f.config(['--smtp-url', f.smtp.url, '--base-url', 'http://hydrant.test', '--email-wait', '0']),
      { log: f.log, db: f.db },
    );
    await impatient.runOnce();
    let mails = f.mailsOf('slow');
    assert.equal(mails.length, 1);
    assert.equal(mails[0]!.mail.subject, 'Failed: hydrant job p:slow:fast');
    assert.match(mails[0]!.mail.text ?? '', /\(some builds of the evaluation are still running\)/);

    finishBuild(f.db, ids.slow!, bareResult(1, now()));
    await f.notifier.runOnce();
    mails = f.mailsOf('slow');
    assert.equal(mails.length, 2, 'the slow build comes in a second mail once the evaluation is finished');
    assert.equal(mails[1]!.mail.subject, 'Failed: hydrant job p:slow:slow');
    assert.doesNotMatch(mails[1]!.mail.text ?? '', /still running/);
    await impatient.runOnce();
    await f.notifier.runOnce();
    assert.equal(f.mailsOf('slow').length, 2);
  });
});
