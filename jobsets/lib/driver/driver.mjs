import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine } from './machine.mjs';
import { createVirtualNetwork } from './virtual-network.mjs';

// Builds the machines of a network description (network.json, written by
// buildVirtualNetwork) without starting them; startAll boots them all at once.
// coverageDir: where each machine's /gcov goes at shutdown; null to skip coverage.
export async function createDriver(network, { outDir, coverageDir, log, products }) {
  // Short and private: unix socket paths are limited to 107 bytes.
  const stateDir = mkdtempSync(join(tmpdir(), 'vms-'));
  const machines = {};
  for (const spec of network.machines) {
    machines[spec.name] = new Machine({
      spec,
      kernelImage: network.kernelImage,
      stateDir,
      outDir,
      coverageDir,
      log,
      products,
    });
  }
  let virtualNetwork = null;

  async function startAll() {
    await log.step('driver', `starting ${network.machines.length} VMs`, async () => {
      virtualNetwork ??= await createVirtualNetwork(Object.keys(machines), stateDir);
      const stopped = Object.values(machines).filter((machine) => !machine.isRunning);
      await Promise.all(stopped.map((machine) => machine.start(virtualNetwork.netdevFor(machine.name))));
      await Promise.all(stopped.map((machine) => machine.waitForShell()));
    });
  }

  // Coverage first, while the guests still run; a machine the test crashed has none.
  async function stopAll() {
    const running = Object.values(machines).filter((machine) => machine.isRunning);
    const results = await Promise.allSettled(running.map((machine) => machine.shutdown()));
    for (const machine of Object.values(machines)) machine.kill();
    virtualNetwork?.stop();
    rmSync(stateDir, { recursive: true, force: true });
    const failure = results.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
  }

  return { machines, startAll, stopAll };
}
