import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One lock file for every test run on the machine: two runs' VMs are as visible to pgrep as two files'. */
const LOCK = join(tmpdir(), 'hydrant-tests-vms.lock');

/**
 * Waits until no other test file boots VMs, and holds that until the returned function is
 * called: tests/jobsets/vm-tests.test.ts checks that no QEMU process is left on the machine,
 * and the test files run side by side, so another file's VMs made it fail. The lock is
 * flock(1)'s, held by a child that lives as long as its stdin is open: if this process dies,
 * the lock goes with it.
 */
export async function holdVmLock(): Promise<() => void> {
  const holder = spawn('flock', ['--exclusive', LOCK, 'sh', '-c', 'echo held; exec cat > /dev/null'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const [line] = (await Promise.race([once(holder.stdout, 'data'), once(holder, 'exit')])) as [unknown];
  if (typeof line === 'number' || line === null) throw new Error(`flock ${LOCK} exited with ${String(line)}`);
  return () => holder.stdin.end();
}
