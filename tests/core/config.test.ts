import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, readConfig } from '../../core/config.ts';
import { BUNDLED_JOBSETS_DIR, PACKAGE_ROOT } from '../../core/paths.ts';
import { withSettingsTable } from '../../core/settings-table.ts';

test('defaults: port 3000 on 127.0.0.1, state in ./state, the bundled jobsets', () => {
  const { config, positional } = readConfig([], {}, '/srv');
  assert.equal(config.port, 3000);
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.stateDir, '/srv/state');
  assert.equal(config.dbPath, '/srv/state/hydrant.sqlite');
  assert.equal(config.jobsetsDir, BUNDLED_JOBSETS_DIR);
  assert.equal(config.machinesFile, null);
  assert.equal(config.baseUrl, 'http://127.0.0.1:3000');
  assert.deepEqual(positional, []);
});

test('flags win over environment variables, which win over defaults', () => {
  const env = { HYDRANT_PORT: '4000', HYDRANT_STATE_DIR: '/env/state', HYDRANT_MAX_EVALS: '5' };
  const { config, positional } = readConfig(['server', '--port', '4001', '--jobsets=/j'], env, '/cwd');
  assert.equal(config.port, 4001);
  assert.equal(config.stateDir, '/env/state');
  assert.equal(config.maxConcurrentEvals, 5);
  assert.equal(config.jobsetsDir, '/j');
  assert.deepEqual(positional, ['server']);
});

test('a typo in a flag or a bad number is an error that says which', () => {
  assert.throws(
    () => readConfig(['--prot', '1'], {}),
    (e: Error) => e instanceof ConfigError && /unknown option --prot/.test(e.message),
  );
  assert.throws(() => readConfig(['--port', 'x'], {}), /--port \/ HYDRANT_PORT must be a whole number/);
  assert.throws(() => readConfig(['--port'], {}), /needs a value/);
  assert.throws(() => readConfig([], { HYDRANT_LOG_LEVEL: 'loud' }), /--log-level must be one of/);
});

test('the README documents every setting exactly as settings.ts declares it', () => {
  const readme = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8');
  assert.equal(readme, withSettingsTable(readme), 'regenerate it: node --import tsx scripts/readme-settings.ts');
});
