#!/usr/bin/env node
// No line of code over 120 columns (DESIGN.md, style 9). Prettier wraps code at 120 but
// leaves long strings, template literals (SQL) and comments alone; this names those.
//   node scripts/check-line-length.mjs
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const LIMIT = 120;
const root = dirname(dirname(fileURLToPath(import.meta.url)));
const DIRS = ['core', 'evaluator', 'queue-runner', 'notifier', 'server', 'cli', 'tests', 'bench', 'scripts', 'jobsets'];
const SKIP = new Set(['node_modules', 'dist', 'state', 'result']);

function* files(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (SKIP.has(e.name) || e.name.startsWith('result')) continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) yield* files(path);
    else if (/\.(ts|mjs|js)$/.test(e.name)) yield path;
  }
}

let long = 0;
for (const dir of DIRS) {
  for (const file of files(join(root, dir))) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (line.length <= LIMIT || /^\s*(\/\/|\*).*https?:\/\//.test(line)) return;
        long++;
        console.error(`${relative(root, file)}:${i + 1}: ${line.length} columns`);
      });
  }
}
if (long > 0) {
  console.error(
    `check-line-length: ${long} line(s) over ${LIMIT} columns; run npm run format, then break what it leaves`,
  );
  process.exit(1);
}
console.log(`check-line-length: no line over ${LIMIT} columns`);
