// Path inputs are copied whole into the world-readable store, so they may lie only under
// --allowed-paths (by default the jobsets directory) and never be, or hold, the state
// directory: refused in spec files and declfiles, and again when the input is fetched.
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { getJobset, triggerEvaluation, upsertJobsetFromSpec } from '../../core/db/jobsets.ts';
import { pathInputProblem } from '../../core/jobset-specs/path-rules.ts';
import { evaluatorFixture, ReleaseRepo } from '../helpers/evaluator-fixture.ts';
import { tempDir } from '../helpers/temp.ts';

const spec = (value: string) => ({
  jobsets: { j: { nixexprinput: 'src', checkinterval: 0, inputs: { src: { type: 'path', value } } } },
});

test("a spec file's path input outside the allowed directories is refused with a message naming the input", () => {
  const f = evaluatorFixture();
  mkdirSync(join(f.specDir, 'inside'));
  f.writeSpec('good', spec('./inside'));
  f.writeSpec('etc', spec('/etc'));
  f.writeSpec('state', spec(join(f.dir, 'state')));
  f.writeSpec('parent', spec('..'));
  f.sync();
  assert.equal(getJobset(f.db, 'good', 'j')!.spec_error, null);
  assert.match(
    getJobset(f.db, 'etc', 'j')!.spec_error!,
    /input "src": path "\/etc" is not under a directory allowed for path inputs/,
  );
  assert.match(getJobset(f.db, 'state', 'j')!.spec_error!, /is or holds hydrant's state directory/);
  assert.match(
    getJobset(f.db, 'parent', 'j')!.spec_error!,
    /is or holds hydrant's state directory|is not under a directory allowed/,
  );
});

test('--allowed-paths names the directories; a symlink does not lead around them', () => {
  const dir = tempDir();
  const allowed = join(dir, 'allowed');
  mkdirSync(join(allowed, 'ok'), { recursive: true });
  mkdirSync(join(dir, 'state'));
  symlinkSync('/etc', join(allowed, 'etc'));
  symlinkSync(join(dir, 'state'), join(allowed, 'state'));
  const rules = { allowed: [allowed], stateDir: join(dir, 'state') };
  assert.equal(pathInputProblem(join(allowed, 'ok'), rules), null);
  assert.match(pathInputProblem(join(allowed, 'etc'), rules)!, /not under a directory allowed/);
  assert.match(pathInputProblem(join(allowed, 'state'), rules)!, /state directory/);
  assert.match(pathInputProblem(join(allowed, 'ok', '..', '..'), rules)!, /state directory|not under/);
  assert.match(
    pathInputProblem('/', { allowed: ['/'], stateDir: rules.stateDir })!,
    /holds hydrant's state directory/,
    'even when / is allowed',
  );
});

test('a declfile cannot declare a path input outside the allowed directories', async () => {
  const f = evaluatorFixture();
  const repo = new ReleaseRepo(join(f.dir, 'repo'), 'a = job "a";');
  repo
    .write(
      'spec.json',
      JSON.stringify({ sneaky: { nixexprinput: 'src', inputs: { src: { type: 'path', value: '/etc' } } } }),
    )
    .commit('declare');
  f.writeSpec('decl', { displayname: 'D', declfile: 'spec.json', decltype: 'git', declvalue: `${repo.dir} main` });
  await f.evaluator.runOnce();
  assert.match(
    getJobset(f.db, 'decl', 'sneaky')!.spec_error!,
    /path "\/etc" is not under a directory allowed for path inputs/,
  );
});

test('a path input that holds the state directory is refused when fetched, whoever wrote it', async () => {
  const f = evaluatorFixture();
  writeFileSync(join(f.dir, 'release.nix'), '{ ... }: { }');
  f.writeSpec('p', { jobsets: {} });
  f.sync();
  // Written straight to the database, as an older hydrant or another writer might have.
  const id = upsertJobsetFromSpec(
    f.db,
    'p',
    {
      name: 'raw',
      enabled: 1,
      hidden: false,
      description: '',
      nixexprinput: 'src',
      nixexprpath: 'release.nix',
      checkinterval: 0,
      schedulingshares: 100,
      enableemail: false,
      emailoverride: '',
      keepnr: 3,
      inputs: [{ name: 'src', type: 'path', value: f.dir, emailresponsible: false }],
    },
    '',
  );
  triggerEvaluation(f.db, id);
  const outcome = await f.evaluator.runOnce();
  assert.deepEqual(
    outcome.map((o) => o.kind),
    ['failed'],
  );
  assert.match(
    getJobset(f.db, 'p', 'raw')!.fetcherrormsg ?? getJobset(f.db, 'p', 'raw')!.errormsg ?? '',
    /input "src": path .* is or holds hydrant's state directory/,
  );
});

test(`git inputs: remote URLs pass; \
options, transport helpers and local repositories outside the allowed directories do not`, () => {
  const f = evaluatorFixture(['--allowed-paths', join(tempDir(), 'elsewhere')]);
  const git = (value: string) => ({
    jobsets: { j: { nixexprinput: 'src', checkinterval: 0, inputs: { src: { type: 'git', value } } } },
  });
  const cases: Record<string, [string, RegExp | null]> = {
    https: ['https://example.org/r.git main', null],
    scp: ['git@example.org:r.git', null],
    ssh: ['ssh://git@example.org/r.git', null],
    option: ['--upload-pack=touch${IFS}/tmp/pwned main', /is not a URL/],
    ext: ['ext::sh -c touch% /tmp/pwned', /transport helpers are not allowed/],
    ftp: ['ftp://example.org/r.git', /the ftp:\/\/ transport is not allowed/],
    mirror: [`${join(f.dir, 'state', 'git', 'someone-elses.git')}`, /is or holds hydrant's state directory/],
    file: [`file://${f.dir}/repo`, /not under a directory allowed/],
    local: ['/srv/private-repo', /not under a directory allowed/],
  };
  for (const [name, [value]] of Object.entries(cases)) f.writeSpec(name, git(value));
  f.sync();
  for (const [name, [, error]] of Object.entries(cases)) {
    const message = getJobset(f.db, name, 'j')!.spec_error;
    if (error) assert.match(message ?? '', error, name);
    else assert.equal(message, null, name);
  }
});
