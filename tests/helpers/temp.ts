import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

/** A temp directory removed when the test file ends (kept with HYDRANT_KEEP_TEMP=1 for debugging). */
export function tempDir(prefix = 'hydrant-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => {
    if (!process.env.HYDRANT_KEEP_TEMP) rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}
