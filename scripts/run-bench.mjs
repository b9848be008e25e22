#!/usr/bin/env node
// `npm run bench -- NAME [ARGS]` runs bench/NAME.ts. Benchmarks print a table and end with
// `RESULT name=NAME ratio=R target=T pass|fail` (DESIGN.md); `npm test` never runs them.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const [name, ...rest] = process.argv.slice(2);
const available = readdirSync(join(root, 'bench')).filter((f) => f.endsWith('.ts') && !f.startsWith('_')).map((f) => f.slice(0, -3));
if (!name || !existsSync(join(root, 'bench', `${name}.ts`))) {
  process.stderr.write(`usage: npm run bench -- NAME   (one of: ${available.join(', ') || 'none yet'})\n`);
  process.exit(2);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', `${name}.ts`), ...rest], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
