// The SQL check behind `npm run lint`: statements prepared against the schema, rows typed to match.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { checkStatements } from '../../scripts/check-sql.ts';
import { tempDir } from '../helpers/temp.ts';

const SCHEMA =
  'CREATE TABLE builds (id INTEGER PRIMARY KEY, job TEXT NOT NULL, description TEXT, buildstatus INTEGER);';

function check(source: string) {
  const file = join(tempDir('hydrant-check-sql-'), 'probe.ts');
  writeFileSync(
    file,
    `declare function stmt<Row = never>(db: unknown, sql: string): { all(): Row[] };\n` +
      `declare const db: unknown;\n${source}\n`,
  );
  const program = ts.createProgram([file], { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022 });
  return checkStatements(program, SCHEMA);
}

test('a row that matches its statement passes, constants in the SQL included', () => {
  const result = check(`
    const Success = 0 as const;
    const columns = 'id, job';
    stmt<{ id: number; job: string; description: string | null }>(
      db, \`SELECT \${columns}, description FROM builds WHERE buildstatus = \${Success}\`).all();
    stmt(db, 'DELETE FROM builds WHERE id = ?');`);
  assert.deepEqual(result, { checked: 2, problems: [] });
});

test(`a column the statement does not return, a wrong type, a lost NULL, \
a typo and a bare status code are named`, () => {
  const { problems } = check(`
    stmt<{ idx: number }>(db, 'SELECT id FROM builds').all();
    stmt<{ job: number }>(db, 'SELECT job FROM builds').all();
    stmt<{ description: string }>(db, 'SELECT description FROM builds').all();
    stmt<{ id: number }>(db, 'SELECT id FROM buildz').all();
    stmt<{ id: number }>(db, 'SELECT id FROM builds WHERE buildstatus IN (3, 4)').all();
    stmt<{ id: number }>(db, 'DELETE FROM builds');`);
  const text = problems.join('\n');
  assert.match(text, /Row has "idx", which the statement does not return \(it returns id\)/);
  assert.match(text, /"job" is builds\.job TEXT, but Row says number/);
  assert.match(text, /"description" is builds\.description, which may be NULL, but Row says string/);
  assert.match(text, /does not prepare on schema\.sql: no such table: buildz/);
  assert.match(text, /a status code written as a bare number/);
  assert.match(text, /stmt<Row> on a statement that returns no rows/);
  assert.equal(problems.length, 6);
});

test('`column IS NOT NULL` in the SQL lets a nullable column be typed without null', () => {
  const { problems } = check(
    `stmt<{ description: string }>(db, 'SELECT description FROM builds WHERE description IS NOT NULL').all();`,
  );
  assert.deepEqual(problems, []);
});
