import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnOwned } from './owned-processes.mjs';

// One virtual ethernet segment for all machines, built from unix sockets only: no
// root, no host addresses, and any number of tests can run side by side.
// Two machines talk point to point over datagram sockets; three or more share a
// vde_switch, because a dgram netdev has exactly one peer.
export async function createVirtualNetwork(machineNames, stateDir) {
  if (machineNames.length === 1) {
    return { netdevFor: () => 'hubport,id=net0,hubid=0', stop() {} };
  }
  if (machineNames.length === 2) {
    const socketOf = (name) => join(stateDir, `${name}.net`);
    const [first, second] = machineNames;
    const peerOf = { [first]: second, [second]: first };
    return {
      netdevFor: (name) =>
        `dgram,id=net0,local.type=unix,local.path=${socketOf(name)},` +
        `remote.type=unix,remote.path=${socketOf(peerOf[name])}`,
      stop() {},
    };
  }
  const switchDir = join(stateDir, 'switch');
  // vde_switch reads management commands from stdin and quits at end of input, so
  // it gets a pipe that is never written to. Its default directory mode is setgid,
  // which Nix's syscall filter refuses inside a build: hence --dirmode.
  const vdeSwitch = spawnOwned('/usr/bin/vde_switch', ['--dirmode', '0700', '-s', switchDir], {
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 5000;
  while (!existsSync(join(switchDir, 'ctl'))) {
    if (vdeSwitch.exitCode !== null) throw new Error(`vde_switch exited with status ${vdeSwitch.exitCode}`);
    if (Date.now() > deadline) throw new Error('vde_switch did not create its control socket');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    netdevFor: () => `vde,id=net0,sock=${switchDir}`,
    stop: () => vdeSwitch.kill('SIGKILL'),
  };
}
