// `hydrant start` includes the notifier: a commit that breaks a job, in one real process with
// real git, real nix and a real SMTP server, ends as one mail to the job's maintainer.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { GitRepo } from '../helpers/git-repo.ts';
import { HydrantProcess } from '../helpers/hydrant-process.ts';
import { TestSmtp } from '../helpers/smtp.ts';
import { tempDir } from '../helpers/temp.ts';
import { waitFor } from '../helpers/wait.ts';

const nonce = randomUUID();
const releaseNix = (script: string) => `{ src }: {
  hello = derivation { name = "hello"; nonce = "${nonce}"; system = builtins.currentSystem; builder = "/bin/sh";
    PATH = "/usr/bin:/bin";
    args = [ "-c" "${script}" ]; } // { meta.maintainers = [ "Ada <ada@example.org>" ]; };
}`;

const dir = tempDir();
const repo = new GitRepo(join(dir, 'repo'));
const smtp = new TestSmtp();
let hydrant: HydrantProcess;

before(async () => {
  await smtp.start();
  repo.write('release.nix', releaseNix('echo hi > $out')).commit('works');
  const jobsets = join(dir, 'jobsets');
  mkdirSync(jobsets);
  writeFileSync(
    join(jobsets, 'mailing.json'),
    JSON.stringify({
      jobsets: {
        main: {
          nixexprinput: 'src',
          checkinterval: 1,
          enableemail: true,
          inputs: { src: { type: 'git', value: `${repo.dir} main` } },
        },
      },
    }),
  );
  hydrant = await new HydrantProcess([
    'start',
    '--state-dir',
    join(dir, 'state'),
    '--gc-roots-dir',
    join(dir, 'gcroots'),
    '--port',
    '0',
    '--jobsets',
    jobsets,
    '--allowed-paths',
    dir,
    '--eval-tick',
    '1',
    '--notify-tick',
    '1',
    '--smtp-url',
    smtp.url,
    '--base-url',
    'https://ci.example.org',
  ]).start();
});

after(async () => {
  await hydrant?.stop();
  await smtp.stop();
});

test('a regression committed to a polled repository is mailed by hydrant start', async () => {
  await waitFor(
    'the first build',
    async () => /Succeeded/.test(await (await fetch(`${hydrant.url}/job/mailing/main/hello`)).text()),
    120,
  );
  repo.write('release.nix', releaseNix('echo broken; exit 1')).commit('breaks');
  const mail = await waitFor('the mail', () => smtp.received[0], 120);
  assert.deepEqual(mail.to, ['ada@example.org']);
  assert.equal(mail.mail.subject, 'Failed: hydrant job mailing:main:hello');
  assert.match(mail.mail.text ?? '', /^ {2}https:\/\/ci\.example\.org\/build\/\d+$/m, 'links use the base URL');
  assert.match(
    mail.mail.text ?? '',
    /\| hydrant: builder for '\/nix\/store\/[^']+-hello\.drv' failed with exit code 1/,
    'the log end, without colour codes',
  );
  await new Promise((r) => setTimeout(r, 2000));
  assert.equal(smtp.received.length, 1);
});
