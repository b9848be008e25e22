// The triggers behind POST /api/push: by jobset name, and by repository URL.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase } from '../../../core/db/database.ts';
import { getJobset, upsertJobsetFromSpec } from '../../../core/db/jobsets.ts';
import { migrate } from '../../../core/db/migrate.ts';
import { upsertProject } from '../../../core/db/projects.ts';
import { triggerJobsetsByName, triggerJobsetsByRepo } from '../../../core/db/push.ts';
import { parseJobsetSpec } from '../../../core/spec/validate.ts';

function setup() {
  const db = openDatabase(':memory:');
  migrate(db);
  const project = (name: string, enabled: boolean) =>
    upsertProject(db, { name, displayname: name, description: '', homepage: '', enabled, hidden: false, owner: '', spec_source: '', declarative: null });
  const jobset = (p: string, name: string, src: string, enabled = 1) =>
    upsertJobsetFromSpec(db, p, parseJobsetSpec(name, { enabled, nixexprinput: 'src', inputs: { src: { type: 'git', value: src } } }, 'test'), '');
  project('p', true);
  project('off', false);
  jobset('p', 'main', 'https://example.org/r.git main');
  jobset('p', 'plain', 'https://example.org/r.git');
  jobset('p', 'other', 'https://example.org/r.git.other');
  jobset('p', 'disabled', 'https://example.org/r.git', 0);
  jobset('off', 'main', 'https://example.org/r.git');
  return db;
}

test('jobsets=P:J triggers the named jobsets that are enabled', () => {
  const db = setup();
  assert.deepEqual(triggerJobsetsByName(db, [{ project: 'p', jobset: 'main' }, { project: 'p', jobset: 'disabled' }, { project: 'off', jobset: 'main' }, { project: 'p', jobset: 'nope' }]), ['p:main']);
  assert.notEqual(getJobset(db, 'p', 'main')!.triggertime, null);
  assert.equal(getJobset(db, 'p', 'disabled')!.triggertime, null);
});

test('repos=URL triggers every enabled jobset with a git input on that URL, whatever the branch', () => {
  const db = setup();
  assert.deepEqual(triggerJobsetsByRepo(db, 'https://example.org/r.git'), ['p:main', 'p:plain']);
  assert.equal(getJobset(db, 'p', 'other')!.triggertime, null, 'a longer URL with the same prefix is another repository');
  assert.deepEqual(triggerJobsetsByRepo(db, 'https://example.org/%'), [], 'LIKE wildcards in the URL are taken literally');
});
