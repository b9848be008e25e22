// Regenerates core/db/schema.sql from the migrations: `node --import tsx scripts/dump-schema.ts`.
// tests/core/db/migrate.test.ts fails when the two disagree, so a schema change is always visible in review.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../core/db/database.ts';
import { dumpSchema, migrate } from '../core/db/migrate.ts';
import { PACKAGE_ROOT } from '../core/paths.ts';

const db = openDatabase(':memory:');
migrate(db);
writeFileSync(
  join(PACKAGE_ROOT, 'core', 'db', 'schema.sql'),
  '-- The schema the migrations produce. Regenerate: node --import tsx scripts/dump-schema.ts\n' + dumpSchema(db),
);
