import assert from 'node:assert/strict';
import { test } from 'node:test';
import { humanBytes, humanDuration, relativeTime } from '../../server/helpers.ts';

test('durations, relative times and sizes read like a person wrote them', () => {
  assert.equal(humanDuration(42), '42s');
  assert.equal(humanDuration(185), '3m 5s');
  assert.equal(humanDuration(7440), '2h 4m');
  assert.equal(humanDuration(null), '');
  assert.equal(relativeTime(1000, 1005), 'just now');
  assert.equal(relativeTime(1000, 1000 + 120), '2 minutes ago');
  assert.equal(relativeTime(1000, 1000 + 3600), '1 hour ago');
  assert.equal(relativeTime(null), '');
  assert.equal(humanBytes(512), '512 B');
  assert.equal(humanBytes(1536), '1.5 KiB');
});

test('terminal colour codes are dropped from the pretty log', async () => {
  const { withoutTerminalCodes } = await import('../../server/views/log-text.ts');
  assert.equal(
    withoutTerminalCodes("builder for '\x1B[35;1m/nix/store/x.drv\x1B[0m' failed"),
    "builder for '/nix/store/x.drv' failed",
  );
});
