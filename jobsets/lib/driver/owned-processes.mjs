import { spawn } from 'node:child_process';

// VMs must never outlive the driver, however it ends. Three layers:
//  - the kernel kills each child when the driver dies, even by SIGKILL (pdeathsig);
//  - on a normal exit, an uncaught exception or a signal we kill them ourselves;
//  - children stay in the builder's process group, which Nix kills on timeout.
const owned = new Set();

export function spawnOwned(command, args, options = {}) {
  const child = spawn('/usr/bin/setpriv', ['--pdeathsig', 'KILL', '--', command, ...args], options);
  owned.add(child);
  child.once('exit', () => owned.delete(child));
  return child;
}

export function killOwned() {
  for (const child of owned) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

process.on('exit', killOwned);
for (const [signal, number] of [
  ['SIGINT', 2],
  ['SIGTERM', 15],
  ['SIGHUP', 1],
]) {
  process.on(signal, () => {
    killOwned();
    process.exit(128 + number);
  });
}

export function waitForExit(child, timeoutMs) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
