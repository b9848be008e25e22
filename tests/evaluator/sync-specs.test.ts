// Declarative jobsets from the spec directory: created, edited and retired in the database,
// with history kept and bad specs reported by file, jobset and key.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { registerEvaluation } from '../../core/db/evals.ts';
import { countEvals } from '../helpers/db.ts';
import { getJobset, jobsetInputs, listJobsets } from '../../core/db/jobsets.ts';
import { getProject } from '../../core/db/projects.ts';
import { evaluatorFixture } from '../helpers/evaluator-fixture.ts';
import { specDirFingerprint } from '../../evaluator/sync-specs.ts';

const jobset = (extra: Record<string, unknown> = {}) => ({
  enabled: 1,
  hidden: false,
  description: 'd',
  nixexprinput: 'src',
  nixexprpath: 'release.nix',
  checkinterval: 60,
  schedulingshares: 100,
  enableemail: false,
  emailoverride: '',
  keepnr: 3,
  inputs: { src: { type: 'git', value: 'https://example.org/repo.git main', emailresponsible: false } },
  ...extra,
});

test(`two projects with three jobsets sync; edits update them; removed ones are disabled and hidden, \
history kept`, () => {
  const f = evaluatorFixture();
  f.writeSpec('alpha', {
    displayname: 'Alpha',
    description: 'first',
    jobsets: { trunk: jobset(), staging: jobset({ checkinterval: 0 }) },
  });
  f.writeSpec('beta', {
    displayname: 'Beta',
    homepage: 'https://beta.example',
    jobsets: {
      main: jobset({
        inputs: {
          src: { type: 'git', value: 'https://example.org/beta.git' },
          name: { type: 'string', value: 'beta' },
          fast: { type: 'boolean', value: true },
          n: { type: 'nix', value: '{ x = 1; }' },
        },
      }),
    },
  });
  f.sync();
  assert.equal(getProject(f.db, 'alpha')!.displayname, 'Alpha');
  assert.equal(getProject(f.db, 'beta')!.homepage, 'https://beta.example');
  assert.deepEqual(
    listJobsets(f.db, 'alpha').map((j) => [j.name, j.checkinterval]),
    [
      ['staging', 0],
      ['trunk', 60],
    ],
  );
  const main = getJobset(f.db, 'beta', 'main')!;
  assert.deepEqual(
    jobsetInputs(f.db, main.id).map((i) => [i.name, i.type, i.value]),
    [
      ['fast', 'boolean', 'true'],
      ['n', 'nix', '{ x = 1; }'],
      ['name', 'string', 'beta'],
      ['src', 'git', 'https://example.org/beta.git'],
    ],
  );

  // History that must survive the jobset's removal.
  const trunkId = getJobset(f.db, 'alpha', 'trunk')!.id;
  registerEvaluation(f.db, {
    jobsetId: trunkId,
    inputsHash: 'h',
    checkoutSeconds: 0,
    evalSeconds: 0,
    nixexprinput: 'src',
    nixexprpath: 'release.nix',
    inputs: [],
    jobs: [],
    errors: [],
  });

  f.writeSpec('alpha', {
    displayname: 'Alpha 2',
    jobsets: { staging: jobset({ checkinterval: 30, description: 'edited', enabled: 3, keepnr: 5 }) },
  });
  rmSync(join(f.specDir, 'beta.json'));
  f.sync();
  assert.equal(getProject(f.db, 'alpha')!.displayname, 'Alpha 2');
  const staging = getJobset(f.db, 'alpha', 'staging')!;
  assert.deepEqual([staging.checkinterval, staging.description, staging.enabled, staging.keepnr], [30, 'edited', 3, 5]);
  const trunk = getJobset(f.db, 'alpha', 'trunk')!;
  assert.deepEqual([trunk.enabled, trunk.hidden], [0, 1], 'removed jobset is disabled and hidden');
  assert.equal(countEvals(f.db, trunk.id), 1, 'its evaluations are kept');
  const beta = getProject(f.db, 'beta')!;
  assert.deepEqual([beta.enabled, beta.hidden], [0, 1], 'removed project is disabled and hidden');
  assert.deepEqual([getJobset(f.db, 'beta', 'main')!.enabled, getJobset(f.db, 'beta', 'main')!.hidden], [0, 1]);

  f.writeSpec('alpha', { displayname: 'Alpha 2', jobsets: { staging: jobset(), trunk: jobset() } });
  f.sync();
  assert.deepEqual(
    [getJobset(f.db, 'alpha', 'trunk')!.enabled, getJobset(f.db, 'alpha', 'trunk')!.hidden],
    [1, 0],
    'declared again: back',
  );
  assert.equal(getJobset(f.db, 'alpha', 'trunk')!.id, trunkId, 'same jobset, same history');
});

test('a bad jobset is recorded with an error naming the file, the jobset and the key; the others sync', () => {
  const f = evaluatorFixture();
  f.writeSpec('p', { jobsets: { good: jobset(), bad: jobset({ checkintervall: 5 }), worse: jobset({ enabled: 7 }) } });
  f.sync();
  assert.equal(getJobset(f.db, 'p', 'good')!.spec_error, null);
  const bad = getJobset(f.db, 'p', 'bad')!;
  assert.match(bad.spec_error!, /p\.json, jobset "bad": unknown key "checkintervall"/);
  assert.equal(bad.enabled, 0);
  assert.match(
    getJobset(f.db, 'p', 'worse')!.spec_error!,
    /jobset "worse": "enabled" must be 0 \(disabled\), 1 \(enabled\), 2 \(one-shot\) or 3 \(one-at-a-time\), got 7/,
  );
});

test('a file that is not valid JSON is reported on its project and changes nothing else', () => {
  const f = evaluatorFixture();
  f.writeSpec('p', { jobsets: { good: jobset() } });
  f.sync();
  f.writeSpec('p', '{ "jobsets": ');
  f.sync();
  assert.match(getProject(f.db, 'p')!.spec_error!, /p\.json: not valid JSON/);
  assert.equal(getJobset(f.db, 'p', 'good')!.enabled, 1, 'the last good spec stays in force');
});

test('the running evaluator picks up a changed spec file on its next round', async () => {
  const f = evaluatorFixture();
  f.writeSpec('p', { jobsets: { a: jobset({ checkinterval: 0 }) } });
  await f.evaluator.runOnce();
  assert.equal(getJobset(f.db, 'p', 'a')!.description, 'd');
  f.writeSpec('p', { jobsets: { a: jobset({ checkinterval: 0, description: 'changed on disk' }) } });
  await f.evaluator.runOnce();
  assert.equal(getJobset(f.db, 'p', 'a')!.description, 'changed on disk');
});

test('"private": true in a spec makes the project private; a bad value names the key', () => {
  const f = evaluatorFixture();
  f.writeSpec('secretive', { displayname: 'S', private: true, jobsets: { trunk: jobset() } });
  f.writeSpec('loud', { displayname: 'L', private: 'yes', jobsets: {} });
  f.sync();
  assert.equal(getProject(f.db, 'secretive')!.private, 1);
  assert.match(getProject(f.db, 'loud')!.spec_error ?? '', /"private"/);
  f.writeSpec('secretive', { displayname: 'S', jobsets: { trunk: jobset() } });
  f.sync();
  assert.equal(
    getProject(f.db, 'secretive')!.private,
    0,
    'the spec is the one writer: leaving the key out makes it public',
  );
});

test(`a directory, a dangling symlink, a pipe or an oversized file among the specs is reported on its own; \
the others sync`, () => {
  const f = evaluatorFixture();
  f.writeSpec('good', { displayname: 'Good', jobsets: { trunk: jobset() } });
  mkdirSync(join(f.specDir, 'adir.json'));
  symlinkSync(join(f.dir, 'nowhere.json'), join(f.specDir, 'dangling.json'));
  execFileSync('mkfifo', [join(f.specDir, 'pipe.json')]);
  writeFileSync(join(f.specDir, 'huge.json'), `{"description": "${'x'.repeat(2 << 20)}"}`);
  f.sync();
  assert.equal(getProject(f.db, 'good')!.displayname, 'Good');
  assert.match(getProject(f.db, 'adir')!.spec_error!, /adir\.json: not a regular file/);
  assert.match(getProject(f.db, 'dangling')!.spec_error!, /dangling\.json: cannot read it \(a symlink to nothing\)/);
  assert.match(getProject(f.db, 'pipe')!.spec_error!, /pipe\.json: not a regular file/);
  assert.match(getProject(f.db, 'huge')!.spec_error!, /huge\.json: \d+ bytes, more than a spec may have/);
  // A change to a good file is still noticed while the broken entries stay.
  assert.notEqual(specDirFingerprint(f.specDir), 'unreadable');
});
