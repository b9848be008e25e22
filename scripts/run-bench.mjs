#!/usr/bin/env node
// `npm run bench -- NAME`: runs bench/NAME.ts through tsx. A benchmark prints its own
// table and ends with `RESULT name=NAME ratio=R target=T pass|fail`; this exits non-zero on
// fail so CI can see it, and lists the benchmarks when no name is given.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const [name, ...rest] = process.argv.slice(2);
const available = readdirSync(join(root, 'bench')).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort();
if (!name || !existsSync(join(root, 'bench', `${name}.ts`))) {
  process.stderr.write(`usage: npm run bench -- NAME   (one of: ${available.join(', ')})\n`);
  process.exit(2);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', `${name}.ts`), ...rest], {
  cwd: root, stdio: ['inherit', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
});
process.stdout.write(result.stdout ?? '');
if (result.status !== 0) process.exit(result.status ?? 1);
process.exit(/^RESULT .* pass$/m.test(result.stdout ?? '') ? 0 : 1);
