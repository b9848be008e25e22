// Interactive use of a virtual network (the paper's ./result/bin/run-vms): boots
// every machine, then runs shell commands typed as `MACHINE COMMAND` until EOF or ^C.
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createLog } from './log.mjs';
import { createProducts } from './products.mjs';
import { createDriver } from './driver.mjs';

const network = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const outDir = mkdtempSync(join(tmpdir(), 'run-vms-'));
const log = createLog(null);
const driver = await createDriver(network, { outDir, coverageDir: null, log, products: createProducts(outDir) });
await driver.startAll();
log.info(`machines: ${Object.keys(driver.machines).join(', ')}; type "MACHINE COMMAND"`);

const input = createInterface({ input: process.stdin });
for await (const line of input) {
  const [name, ...words] = line.trim().split(/\s+/);
  const machine = driver.machines[name];
  if (!machine) {
    log.info(`unknown machine "${name}"`);
    continue;
  }
  const { status, output } = await machine.execute(words.join(' '));
  process.stdout.write(output + (status === 0 ? '' : `(exit status ${status})\n`));
}
await driver.stopAll();
