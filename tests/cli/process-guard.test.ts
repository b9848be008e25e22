// A role's process that meets an error nothing caught logs it and exits non-zero, so that
// the supervisor restarts it; it tells the supervisor why over the IPC channel.
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PACKAGE_ROOT } from '../../core/paths.ts';
import { tempDir } from '../helpers/temp.ts';

const dir = tempDir();

async function crash(body: string): Promise<{ code: number | null; output: string; message: unknown }> {
  const script = join(dir, `crash-${Math.random().toString(36).slice(2)}.ts`);
  writeFileSync(
    script,
    `
    import { createLogger } from ${JSON.stringify(join(PACKAGE_ROOT, 'core', 'log.ts'))};
    import { guardProcess } from ${JSON.stringify(join(PACKAGE_ROOT, 'cli', 'process-guard.ts'))};
    guardProcess(createLogger('info'), 'test-role');
    setInterval(() => undefined, 1000);
    ${body}
  `,
  );
  const child = fork(script, [], {
    execArgv: ['--import', 'tsx'],
    cwd: PACKAGE_ROOT,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  let message: unknown;
  child.stdout!.on('data', (d: Buffer) => {
    output += d;
  });
  child.stderr!.on('data', (d: Buffer) => {
    output += d;
  });
  child.on('message', (m) => {
    message = m;
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, output, message };
}

test('an unhandled rejection is logged and ends the process with code 1', async () => {
  const { code, output, message } = await crash(`Promise.reject(new Error('disk on fire'));`);
  assert.equal(code, 1);
  assert.match(output, /"level":60.*test-role crashed \(unhandled rejection: disk on fire\)/);
  assert.deepEqual(message, { type: 'crash', reason: 'unhandled rejection: disk on fire' });
});

test("an 'error' event without a listener is logged and ends the process with code 1", async () => {
  const { code, output } = await crash(`
    import { EventEmitter } from 'node:events';
    setTimeout(() => new EventEmitter().emit('error', new Error('EIO: i/o error')), 10);`);
  assert.equal(code, 1);
  assert.match(output, /test-role crashed \(uncaught exception: EIO: i\/o error\)/);
});
