// Log lines: JSON for machines, readable lines for a person at a terminal.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { createLogger } from '../../core/log.ts';
import { readableLine } from '../../core/log-lines.ts';

function collect() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString('utf8')));
  return { stream, text: () => text };
}

test('on a terminal a line reads as time, level, role, message and fields', async () => {
  const out = collect();
  const log = createLogger('info', out.stream, { readable: true }).child({ role: 'queue-runner' });
  log.info({ build: 12, drv: '/nix/store/x-a b.drv' }, 'build step failed');
  await new Promise((r) => setImmediate(r));
  assert.match(
    out.text(),
    /^\d\d:\d\d:\d\d\.\d{3} INFO {2}queue-runner: build step failed build=12 drv="\/nix\/store\/x-a b\.drv"\n$/,
  );
  assert.doesNotMatch(out.text(), /[{}]|"level"/, 'no JSON');
});

test('control characters a build put in a message are shown escaped, never sent to the terminal', () => {
  const line = readableLine(
    JSON.stringify({ level: 50, time: '2026-01-01T00:00:00.000Z', msg: 'job \u001b]0;owned\u0007 failed' }),
    false,
  );
  assert.equal(line, '00:00:00.000 ERROR job \\x1b]0;owned\\x07 failed');
});

test('errors are shown with their stack under the line', () => {
  const line = readableLine(
    JSON.stringify({
      level: 50,
      time: '2026-01-01T00:00:00.000Z',
      msg: 'tick failed',
      err: { message: 'boom', stack: 'Error: boom\n    at x' },
    }),
    false,
  );
  assert.match(line, /tick failed\n {4}Error: boom\n {8}at x$/);
});

test('when standard error is not a terminal every line is JSON', () => {
  const script = "import { createLogger } from './core/log.ts'; createLogger('info').info({ n: 1 }, 'hello');";
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  const record = JSON.parse(child.stderr.trim()) as { msg: string; n: number; level: number };
  assert.equal(record.msg, 'hello');
  assert.equal(record.n, 1);
});

test('when standard error is a terminal (a pseudo-terminal from util-linux script) lines are readable', (t) => {
  const probe = spawnSync('script', ['--version'], { encoding: 'utf8' });
  if (probe.error) return t.skip('util-linux script is not installed');
  const script = "import { createLogger } from './core/log.ts'; createLogger('info').info({ n: 1 }, 'hello');";
  const node = `${process.execPath} --import tsx --input-type=module -e "${script}"`;
  const child = spawnSync('script', ['-qec', node, '/dev/null'], { encoding: 'utf8' });
  assert.match(
    child.stdout.replaceAll('\u001b', 'ESC'),
    /\d\d:\d\d:\d\d\.\d{3} ESC\[32mINFO ESC\[0m hello n=1/,
    'the level in colour',
  );
});
