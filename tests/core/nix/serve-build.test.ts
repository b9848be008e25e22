import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classify } from '../../../core/nix/serve-build.ts';

test("Nix's build results map to what the queue runner does next", () => {
  assert.equal(classify(0, '').kind, 'built');
  assert.equal(classify(3, "builder for '/nix/store/x.drv' failed with exit code 1").kind, 'failed');
  assert.equal(
    classify(3, "builder for '/nix/store/x.drv' failed due to signal 9 (Killed)").kind,
    'nix-failure',
    'a killed builder is retried',
  );
  assert.equal(classify(8, 'timed out').kind, 'timed-out');
  assert.equal(classify(11, '').kind, 'log-limit');
  assert.equal(classify(6, '').kind, 'nix-failure');
});
