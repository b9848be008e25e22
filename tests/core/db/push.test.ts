// The jobsets behind POST /api/push?repos=URL: those with a git input on that repository.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase } from '../../../core/db/database.ts';
import { upsertJobsetFromSpec } from '../../../core/db/jobsets.ts';
import { migrate } from '../../../core/db/migrate.ts';
import { upsertProject } from '../../../core/db/projects.ts';
import { jobsetsWithRepo } from '../../../core/db/push.ts';
import { parseJobsetSpec } from '../../../core/jobset-specs/validate.ts';

function setup() {
  const db = openDatabase(':memory:');
  migrate(db);
  const project = (name: string, enabled: boolean) =>
    upsertProject(db, {
      name,
      displayname: name,
      description: '',
      homepage: '',
      enabled,
      hidden: false,
      owner: '',
      spec_source: '',
      declarative: null,
    });
  const jobset = (p: string, name: string, src: string, enabled = 1) =>
    upsertJobsetFromSpec(
      db,
      p,
      parseJobsetSpec(name, { enabled, nixexprinput: 'src', inputs: { src: { type: 'git', value: src } } }, 'test'),
      '',
    );
  project('p', true);
  project('off', false);
  jobset('p', 'main', 'https://example.org/r.git main');
  jobset('p', 'plain', 'https://example.org/r.git');
  jobset('p', 'other', 'https://example.org/r.git.other');
  jobset('p', 'disabled', 'https://example.org/r.git', 0);
  jobset('off', 'main', 'https://example.org/r.git');
  return db;
}

test('repos=URL finds every jobset with a git input on that URL, whatever the branch', () => {
  const db = setup();
  const names = (url: string) =>
    jobsetsWithRepo(db, url)
      .map((j) => `${j.project}:${j.name}`)
      .sort();
  assert.deepEqual(
    names('https://example.org/r.git'),
    ['off:main', 'p:disabled', 'p:main', 'p:plain'],
    'disabled jobsets are found too: the route skips them unless forced',
  );
  assert.ok(
    !names('https://example.org/r.git').includes('p:other'),
    'a longer URL with the same prefix is another repository',
  );
  assert.deepEqual(names('https://example.org/%'), [], 'LIKE wildcards in the URL are taken literally');
  assert.deepEqual(names('https://example.org/r.git main'), [], 'the branch is not part of the URL');
});
