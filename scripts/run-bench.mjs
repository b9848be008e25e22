#!/usr/bin/env node
// `npm run bench -- NAME [ARGS]` runs bench/NAME.ts through tsx. A benchmark prints its own
// table and ends with `RESULT name=NAME ratio=R target=T pass|fail` (DESIGN.md); this
// streams its output, exits non-zero on fail, and lists the benchmarks when no name is
// given. `npm test` never runs benchmarks.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const [name, ...rest] = process.argv.slice(2);
const available = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.ts') && !f.startsWith('_'))
  .map((f) => f.slice(0, -3))
  .sort();
if (!name || !existsSync(join(root, 'bench', `${name}.ts`))) {
  process.stderr.write(`usage: npm run bench -- NAME   (one of: ${available.join(', ') || 'none yet'})\n`);
  process.exit(2);
}
const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench', `${name}.ts`), ...rest], {
  cwd: root,
  stdio: ['inherit', 'pipe', 'inherit'],
});
let tail = '';
child.stdout.on('data', (d) => {
  process.stdout.write(d);
  tail = (tail + d.toString('utf8')).slice(-4096);
});
child.on('close', (code) => {
  if (code !== 0) process.exit(code ?? 1);
  process.exit(/^RESULT .* pass$/m.test(tail) ? 0 : 1);
});
