// Which projects a viewer may not read: the one rule every route's filter comes from.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase } from '../../../core/db/database.ts';
import { migrate } from '../../../core/db/migrate.ts';
import { saveProject } from '../../../core/db/project-edits.ts';
import { addProjectMember, saveUser } from '../../../core/db/users.ts';
import { hiddenProjects } from '../../../core/db/visibility.ts';
import { clearProjectOwner } from '../../helpers/db.ts';

function site() {
  const db = openDatabase(':memory:');
  migrate(db);
  for (const username of ['alice', 'bob', 'carol']) saveUser(db, { username, passwordHash: 'x', roles: [] });
  const project = (name: string, owner: string, isPrivate: boolean) =>
    saveProject(db, {
      name,
      displayname: name,
      description: '',
      homepage: '',
      owner,
      enabled: true,
      hidden: false,
      private: isPrivate,
    });
  project('open', 'alice', false);
  project('secret', 'alice', true);
  project('orphan', 'alice', true);
  clearProjectOwner(db, 'orphan');
  addProjectMember(db, 'secret', 'bob');
  return db;
}

const names = (db: ReturnType<typeof site>, viewer: { username: string; roles: string[] } | null) => [
  ...hiddenProjects(db, viewer).names,
];

test('private projects are hidden from anonymous clients and outsiders, in name order', () => {
  const db = site();
  assert.deepEqual(names(db, null), ['orphan', 'secret']);
  assert.deepEqual(names(db, { username: 'carol', roles: [] }), ['orphan', 'secret']);
  assert.equal(hiddenProjects(db, null).json, '["orphan","secret"]');
});

test('the owner and members read a private project; a project without an owner only admins', () => {
  const db = site();
  assert.deepEqual(names(db, { username: 'alice', roles: [] }), ['orphan']);
  assert.deepEqual(names(db, { username: 'bob', roles: [] }), ['orphan']);
});

test('an admin reads everything, so the hidden list is empty', () => {
  const db = site();
  const hidden = hiddenProjects(db, { username: 'carol', roles: ['admin'] });
  assert.equal(hidden.json, '[]');
  assert.equal(hidden.names.size, 0);
});
