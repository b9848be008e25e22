// Step logs kept where Nix keeps build logs: a small one uncompressed (Nix reads drvs/XX/REST
// before REST.bz2), a big one as .bz2; whichever is written last is the one read.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { keepNixLogs, keepSmallNixLog, nixLogFile, nixLogPath } from '../../../core/nix/log-dir.ts';
import { tempDir } from '../../helpers/temp.ts';

const drv = '/nix/store/0123456789abcdfghijklmnpqrsvwxyz-logged.drv';

test('a small log is kept uncompressed; a later big one replaces it as .bz2, and back', async () => {
  const logDir = tempDir();
  const plain = nixLogPath(drv, logDir);
  assert.equal(await keepSmallNixLog(Buffer.from('first build\n'), drv, logDir), plain);
  assert.deepEqual(nixLogFile(drv, logDir), { path: plain, compression: 'none' });
  assert.equal(readFileSync(plain, 'utf8'), 'first build\n');

  const big = join(tempDir(), 'big.log');
  writeFileSync(big, 'second build\n'.repeat(10_000));
  assert.deepEqual([...(await keepNixLogs([{ plainLog: big, drvPath: drv }], logDir))], []);
  assert.equal(existsSync(plain), false, 'the older uncompressed log would be read first');
  assert.deepEqual(nixLogFile(drv, logDir), { path: `${plain}.bz2`, compression: 'bzip2' });
  assert.match(execFileSync('bzip2', ['-dc', `${plain}.bz2`], { encoding: 'utf8' }), /^second build\n/);

  await keepSmallNixLog(Buffer.from('third build\n'), drv, logDir);
  assert.equal(existsSync(`${plain}.bz2`), false);
  assert.equal(readFileSync(plain, 'utf8'), 'third build\n');
});
