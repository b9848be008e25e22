import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readConfig } from '../../core/config.ts';
import { getJobset, triggerEvaluation } from '../../core/db/jobsets.ts';
import { createLogger } from '../../core/log.ts';
import { createNotifier } from '../../notifier/index.ts';
import { createQueueRunner } from '../../queue-runner/index.ts';
import { evaluatorFixture } from '../helpers/evaluator-fixture.ts';
import { GitRepo } from '../helpers/git-repo.ts';
import { rawHeaders, TestSmtp } from '../helpers/smtp.ts';

const smtp = new TestSmtp();
before(() => smtp.start());
after(() => smtp.stop());

// release.nix builds job `a`, which fails when the file `status` says so.
const release = (nonce: string) => `{ src, ... }: {
  a = derivation { name = "a"; system = builtins.currentSystem; builder = "/bin/sh"; PATH = "/usr/bin:/bin";
    args = [ "-c" "echo ${nonce}; test \\"$(cat \${src}/status)\\" = ok && echo ok > $out" ];
  } // { meta.maintainers = "maint@example.org"; };
}`;

test('regressions mail the authors of the commits since the previous evaluation, up to the cap', async () => {
  const f = evaluatorFixture(['--blame-max', '2']);
  const repo = new GitRepo(join(f.dir, 'repo'));
  const commitAs = (who: string, message: string, status?: string) => {
    if (status) repo.write('status', status);
    repo.write(`${who}.txt`, randomUUID());
    repo.git('add', '-A');
    repo.git(
      '-c',
      `user.name=${who[0]!.toUpperCase()}${who.slice(1)}`,
      '-c',
      `user.email=${who}@example.org`,
      'commit',
      '--quiet',
      '-m',
      message,
    );
    return repo.git('rev-parse', 'HEAD');
  };
  repo.write('release.nix', release(randomUUID()));
  commitAs('ann', 'first', 'ok');
  f.writeSpec('p', {
    jobsets: {
      main: {
        nixexprinput: 'src',
        checkinterval: 0,
        enableemail: true,
        inputs: { src: { type: 'git', value: repo.dir, emailresponsible: true } },
      },
    },
  });
  f.sync();
  const stateDir = join(f.dir, 'state');
  const config = readConfig(
    [
      '--state-dir',
      stateDir,
      '--gc-roots-dir',
      join(f.dir, 'gcroots'),
      '--smtp-url',
      smtp.url,
      '--base-url',
      'http://hydrant.test',
      '--blame-max',
      '2',
    ],
    {},
  ).config;
  const log = createLogger('silent');
  const notifier = createNotifier(config, { log, db: f.db });
  const round = async () => {
    triggerEvaluation(f.db, getJobset(f.db, 'p', 'main')!.id);
    await f.evaluator.runOnce();
    await createQueueRunner(config, { log, db: f.db, maxJobs: 2 }).runOnce();
    await notifier.runOnce();
  };
  await round();
  assert.equal(smtp.received.length, 0);

  commitAs('carol', 'unrelated change');
  const bad = commitAs('dave', 'break it <script>alert(1)</script>\r\nBcc: evil@example.org', 'broken');
  await round();
  assert.deepEqual(smtp.received.map((m) => m.to[0]).sort(), [
    'carol@example.org',
    'dave@example.org',
    'maint@example.org',
  ]);
  const mail = smtp.received[0]!.mail;
  assert.match(mail.text ?? '', /This may be due to 2 commits since the previous evaluation:/);
  assert.match(mail.text ?? '', new RegExp(`${bad.slice(0, 12)} Dave <dave@example.org>: break it <script>`));
  assert.match(mail.text ?? '', /Carol <carol@example.org>: unrelated change/);
  assert.ok(!String(mail.html).includes('<script>'), 'the commit message is escaped in the HTML part');
  assert.match(String(mail.html), /break it &#60;script&#62;alert\(1\)&#60;\/script&#62;/);
  for (const m of smtp.received) assert.deepEqual(rawHeaders(m.raw, 'Bcc'), [], 'the commit message adds no header');

  commitAs('erin', 'repair', 'ok');
  await round();
  const fix = smtp.received.slice(3);
  assert.deepEqual(
    fix.map((m) => m.to[0]),
    ['maint@example.org'],
    'a fix does not mail the authors',
  );

  commitAs('frank', 'one');
  commitAs('gina', 'two');
  commitAs('hal', 'three', 'broken again');
  await round();
  const capped = smtp.received.slice(4);
  assert.deepEqual(
    capped.map((m) => m.to[0]),
    ['maint@example.org'],
    'three commits, cap two: no author is mailed',
  );
  assert.match(
    capped[0]!.mail.text ?? '',
    /3 commits since the previous evaluation; too many to blame, so none of their authors was mailed\./,
  );
  assert.ok(!(capped[0]!.mail.text ?? '').includes('Hal <hal@'), 'nor are they listed');
});
