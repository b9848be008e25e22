import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readConfig } from '../../core/config.ts';
import { getJobset, triggerEvaluation } from '../../core/db/jobsets.ts';
import { saveUser } from '../../core/db/users.ts';
import { createLogger } from '../../core/log.ts';
import { createNotifier } from '../../notifier/index.ts';
import { evaluatorFixture } from '../helpers/evaluator-fixture.ts';
import { GitRepo } from '../helpers/git-repo.ts';
import { TestSmtp } from '../helpers/smtp.ts';

const smtp = new TestSmtp();
before(() => smtp.start());
after(() => smtp.stop());

test('an evaluation error is mailed to the project owner once per distinct text', async () => {
  const f = evaluatorFixture();
  saveUser(f.db, { username: 'olga', passwordHash: 'x', roles: [], email: 'olga@example.org' });
  const repo = new GitRepo(join(f.dir, 'repo'));
  repo.write('release.nix', '{ ... }: throw "broken <one>"').commit('one');
  f.writeSpec('p', {
    owner: 'olga',
    jobsets: { main: { nixexprinput: 'src', checkinterval: 0, inputs: { src: { type: 'git', value: repo.dir } } } },
  });
  f.sync();
  const config = readConfig(
    [
      '--state-dir',
      join(f.dir, 'state'),
      '--gc-roots-dir',
      join(f.dir, 'gcroots'),
      '--smtp-url',
      smtp.url,
      '--base-url',
      'http://hydrant.test',
    ],
    {},
  ).config;
  const notifier = createNotifier(config, { log: createLogger('silent'), db: f.db });
  const check = async () => {
    triggerEvaluation(f.db, getJobset(f.db, 'p', 'main')!.id);
    await f.evaluator.runOnce();
    await notifier.runOnce();
  };
  await check();
  await check();
  await check();
  assert.match(getJobset(f.db, 'p', 'main')!.errormsg ?? '', /broken <one>/);
  assert.equal(smtp.received.length, 1, 'three checks, one error text: one mail');
  const first = smtp.received[0]!;
  assert.deepEqual(first.to, ['olga@example.org']);
  assert.equal(first.mail.subject, 'Evaluation error: hydrant jobset p:main');
  assert.match(first.mail.text ?? '', /broken <one>/);
  assert.match(String(first.mail.html), /broken &#60;one&#62;/);

  repo.write('release.nix', '{ ... }: throw "broken two"').commit('two');
  await check();
  await check();
  assert.equal(smtp.received.length, 2, 'a new text: one more mail');
  assert.match(smtp.received[1]!.mail.text ?? '', /broken two/);

  repo.write('release.nix', '{ ... }: { }').commit('fixed');
  await check();
  assert.equal(getJobset(f.db, 'p', 'main')!.errormsg, null);
  repo.write('release.nix', '{ ... }: throw "broken two"').commit('again');
  await check();
  assert.equal(smtp.received.length, 3, 'the same error after a good evaluation is news again');

  // Jobs that fail to evaluate have no build to mail about: the owner hears of them the same way.
  const ok =
    'derivation { name = "ok"; system = builtins.currentSystem; builder = "/bin/sh"; args = [ "-c" "echo > $out" ]; }';
  repo.write('release.nix', `{ ... }: { ok = ${ok}; bad = throw "bad job"; }`).commit('one bad job');
  await check();
  assert.equal(smtp.received.length, 4);
  assert.match(smtp.received[3]!.mail.text ?? '', /Jobs that failed to evaluate:\nbad: .*bad job/);
  repo.write('release.nix', `{ ... }: { ok = ${ok}; bad = throw "bad job"; extra = ${ok}; }`).commit('same bad job');
  await check();
  assert.equal(smtp.received.length, 4, 'a new evaluation with the same failing job: no new mail');
});
