#!/usr/bin/env node
// Runs every tests/**/*.test.ts with node:test through tsx, so the runner prints its
// summary (tests, pass, fail) for CI. Extra arguments narrow the files by substring.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const filters = process.argv.slice(2);

function find(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return find(p);
    return e.name.endsWith('.test.ts') ? [relative(root, p)] : [];
  });
}

const files = find(join(root, 'tests'))
  .sort()
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) {
  process.stderr.write(`no test files match ${filters.join(' ')}\n`);
  process.exit(1);
}
// A test that hangs fails after 15 minutes instead of holding the run until CI stops it.
const concurrency = process.env.HYDRANT_TEST_CONCURRENCY ?? String(Math.max(2, cpus().length));
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-timeout=900000',
    '--test-reporter=spec',
    ...files,
  ],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, HYDRANT_LOG_LEVEL: process.env.HYDRANT_LOG_LEVEL ?? 'warn' },
  },
);
process.exit(result.status ?? 1);
