// Regenerates README.md's settings table from core/settings.ts:
//   node --import tsx scripts/readme-settings.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../core/paths.ts';
import { withSettingsTable } from '../core/settings-table.ts';

const file = join(PACKAGE_ROOT, 'README.md');
const before = readFileSync(file, 'utf8');
const after = withSettingsTable(before);
if (after !== before) writeFileSync(file, after);
console.log(after === before ? 'README.md settings table is up to date' : 'README.md settings table rewritten');
