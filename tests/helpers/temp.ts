import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

/**
 * A temp directory removed when the test file ends (kept with HYDRANT_KEEP_TEMP=1 for
 * debugging). Removal is retried for a few seconds: the role processes of a `hydrant start`
 * stopped by another after() hook may still be finishing their last writes.
 */
export function tempDir(prefix = 'hydrant-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => {
    if (!process.env.HYDRANT_KEEP_TEMP) rmSync(dir, { recursive: true, force: true, maxRetries: 20, retryDelay: 250 });
  });
  return dir;
}
