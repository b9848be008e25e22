// Runs one test script against one virtual network inside a Nix build.
//   node run-test.mjs NETWORK_JSON SCRIPT_FILE OUT_DIR [TIMEOUT_SECONDS]
// Exit status: 0 the test passed, 1 the test failed (the log says why), 2 the
// driver itself could not run. run-tests.sh turns 1 into Hydra's "failed with output".
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLog } from './log.mjs';
import { createProducts } from './products.mjs';
import { createDriver } from './driver.mjs';

const [networkFile, scriptFile, outDir, timeoutSeconds = '120'] = process.argv.slice(2);
if (!networkFile || !scriptFile || !outDir) {
  process.stderr.write('usage: run-test.mjs NETWORK_JSON SCRIPT_FILE OUT_DIR [TIMEOUT_SECONDS]\n');
  process.exit(2);
}

// Anything thrown outside the test script is the driver's own fault, not the test's.
process.on('uncaughtException', (error) => {
  process.stderr.write(`test driver error: ${error.stack ?? error}\n`);
  process.exit(2);
});

const network = JSON.parse(readFileSync(networkFile, 'utf8'));
const log = createLog(join(outDir, 'log.txt'));
const products = createProducts(outDir);
products.add('report', 'testlog', outDir, 'log.txt');
const driver = await createDriver(network, { outDir, coverageDir: join(outDir, 'coverage-data'), log, products });

// The script is the body of an async function that sees each machine under its
// own name, like the $server and $client of the paper's Perl scripts.
const isIdentifier = (name) => /^[A-Za-z_$][\w$]*$/.test(name);
const scope = {
  ...Object.fromEntries(Object.entries(driver.machines).filter(([name]) => isIdentifier(name))),
  machines: driver.machines,
  startAll: driver.startAll,
  log: (message) => log.from('test', message),
  sleep: (seconds) =>
    log.step('test', `sleeping ${seconds} s`, () => new Promise((r) => setTimeout(r, seconds * 1000))),
  assert,
  outDir,
};
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
const testScript = new AsyncFunction(...Object.keys(scope), readFileSync(scriptFile, 'utf8'));

let failure = null;
let timer;
try {
  await Promise.race([
    testScript(...Object.values(scope)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`test timed out after ${timeoutSeconds} s`)), timeoutSeconds * 1000);
    }),
  ]);
} catch (error) {
  failure = error;
} finally {
  clearTimeout(timer);
}

try {
  await driver.stopAll();
} catch (error) {
  log.info(`while stopping the VMs: ${error.message}`);
}

products.metric('testDuration', log.elapsedSeconds().toFixed(2), 's');
if (failure) {
  log.info(`TEST FAILED: ${failure.message}`);
} else {
  log.info('test passed');
}
log.close();
process.exit(failure ? 1 : 0);
