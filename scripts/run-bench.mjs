#!/usr/bin/env node
// `npm run bench -- NAME` runs bench/NAME.ts with tsx; benchmarks print a table and a final
// `RESULT name=NAME ratio=R target=T pass|fail` line. Extra arguments go to the benchmark.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const [name, ...rest] = process.argv.slice(2);
const file = name && join(root, 'bench', `${name}.ts`);
if (!file || !existsSync(file)) {
  process.stderr.write(`usage: npm run bench -- NAME   (benchmarks: ${readdirSync(join(root, 'bench')).filter((f) => /^[\w-]+\.ts$/.test(f)).map((f) => f.slice(0, -3)).join(', ')})\n`);
  process.exit(2);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', file, ...rest], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
