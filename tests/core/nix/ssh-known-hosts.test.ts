// A machine's pinned host key goes into a known_hosts file under the directory hydrant gives
// (the state directory's ssh/ for the queue runner), never a shared temporary path another
// local user could create first and plant their own key in.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sshArgs } from '../../../core/nix/ssh.ts';
import { tempDir } from '../../helpers/temp.ts';

const target = {
  destination: 'builder@10.0.0.5',
  host: '10.0.0.5',
  port: 2222,
  identityFile: null,
  hostKey: 'ssh-ed25519 AAAAC3Nza-test-key',
};
const knownHostsOf = (args: string[]) =>
  args.find((a) => a.startsWith('UserKnownHostsFile='))!.slice('UserKnownHostsFile='.length);

test('the pinned key is written under the given directory, readable by hydrant alone', () => {
  const dir = join(tempDir(), 'state', 'ssh');
  const file = knownHostsOf(sshArgs(target as never, {}, dir));
  assert.ok(file.startsWith(dir + '/'), file);
  assert.equal(readFileSync(file, 'utf8'), '[10.0.0.5]:2222 ssh-ed25519 AAAAC3Nza-test-key\n');
  assert.equal(statSync(dir).mode & 0o077, 0, 'no one else may write keys there');
});

test('without a directory it is a fresh private one, never the shared /tmp/hydrant-known-hosts', () => {
  const file = knownHostsOf(sshArgs(target as never, {}));
  assert.ok(!file.startsWith(join(tmpdir(), 'hydrant-known-hosts/')), file);
  assert.equal(statSync(join(file, '..')).mode & 0o077, 0);
});
