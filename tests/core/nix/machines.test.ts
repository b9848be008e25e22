import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  defaultMachines,
  localFeatures,
  localSystems,
  MachinesFileError,
  parseMachines,
} from '../../../core/nix/machines.ts';
import { tempDir } from '../../helpers/temp.ts';

const hostKey = Buffer.from(
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOkm0pWcK8fqVv5o8bZ0m2m7Y7b3G0Q0A3tqzH8y8v9x root@builder',
).toString('base64');

test("Nix's machines format: all columns, '-' for defaults, comments, comma lists", () => {
  const machines = parseMachines(
    [
      '# build farm',
      `ssh://hydra@big.example.org:2222 x86_64-linux,i686-linux /keys/id 8 2.5 kvm,big-parallel nixos-test ${hostKey}`,
      'small.example.org aarch64-linux - - - - -   # trailing comment',
      'localhost',
      '',
    ].join('\n'),
  );
  assert.equal(machines.length, 3);
  const [big, small, local] = machines;
  assert.deepEqual(big!.ssh, {
    destination: 'hydra@big.example.org',
    host: 'big.example.org',
    port: 2222,
    identityFile: '/keys/id',
    hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOkm0pWcK8fqVv5o8bZ0m2m7Y7b3G0Q0A3tqzH8y8v9x',
  });
  assert.deepEqual(
    [big!.systems, big!.maxJobs, big!.speedFactor, big!.supportedFeatures, big!.mandatoryFeatures],
    [['x86_64-linux', 'i686-linux'], 8, 2.5, ['kvm', 'big-parallel'], ['nixos-test']],
  );
  assert.deepEqual(
    [small!.systems, small!.maxJobs, small!.speedFactor, small!.supportedFeatures, small!.ssh!.port],
    [['aarch64-linux'], 1, 1, [], null],
  );
  assert.equal(local!.ssh, null);
  assert.deepEqual(local!.systems, localSystems());
});

test('a bad line is an error naming the line; nothing half-read', () => {
  assert.throws(
    () => parseMachines('localhost x86_64-linux - 0\n', 'machines'),
    (e: Error) =>
      e instanceof MachinesFileError &&
      /machines line 1: MAXJOBS must be a positive whole number, got "0"/.test(e.message),
  );
  assert.throws(
    () => parseMachines('\nlocalhost x86_64-linux - 2 fast\n'),
    /line 2: SPEEDFACTOR must be a positive number, got "fast"/,
  );
  assert.throws(
    () => parseMachines('http://example.org x86_64-linux\n'),
    /"http:\/\/example.org" is not an ssh:\/\/ URI/,
  );
  assert.throws(
    () => parseMachines('b x86_64-linux - 1 1 - - bm90IGEga2V5\n'),
    /HOSTKEY is not a base64-encoded public host key/,
  );
  assert.throws(() => parseMachines('b x86_64-linux\nb i686-linux\n'), /machine b is listed twice/);
});

test('the default pool is this machine: x86_64 also builds i686, kvm only with a usable /dev/kvm', () => {
  assert.deepEqual(localSystems('x64'), ['x86_64-linux', 'i686-linux']);
  const [local] = defaultMachines(3);
  assert.equal(local!.maxJobs, 3);
  assert.ok(local!.supportedFeatures.includes('nixos-test') && local!.supportedFeatures.includes('big-parallel'));
});

test('the local machine offers nixos-test only when QEMU is installed', () => {
  const bin = tempDir();
  assert.ok(!localFeatures('/nonexistent-kvm', bin).includes('nixos-test'), 'no qemu on this PATH');
  writeFileSync(join(bin, 'qemu-system-x86_64'), '#!/bin/sh\n', { mode: 0o755 });
  const features = localFeatures('/nonexistent-kvm', `/nowhere:${bin}`);
  assert.ok(features.includes('nixos-test'));
  assert.ok(!features.includes('kvm'), 'kvm only with a usable /dev/kvm');
  assert.ok(features.includes('big-parallel'));
});

test('kvm only when the device can create a VM: a device that merely opens is not enough', () => {
  const bin = tempDir();
  // /dev/null opens read-write like /dev/kvm on a machine without nested virtualisation,
  // but the KVM_CREATE_VM ioctl fails on it, as it does there.
  assert.ok(!localFeatures('/dev/null', bin).includes('kvm'));
  assert.ok(!localFeatures('/nonexistent-kvm', bin).includes('kvm'));
  if (existsSync('/dev/kvm')) {
    // Where a real /dev/kvm exists, the answer is what QEMU would find.
    const qemu = spawnSync(
      'qemu-system-x86_64',
      ['-accel', 'kvm', '-machine', 'none', '-display', 'none', '-nodefaults', '-S', '-qmp', 'stdio'],
      { input: '{"execute":"qmp_capabilities"}\n{"execute":"quit"}\n', timeout: 20_000 },
    );
    assert.equal(localFeatures('/dev/kvm', bin).includes('kvm'), qemu.status === 0);
  }
});
