// Builder of buildVirtualNetwork: one initrd per machine (the shared base archive
// followed by the machine's own archive; the kernel unpacks both in order), the
// network.json the test driver reads, and bin/run-vms.
import { readFileSync, writeFileSync, mkdirSync, copyFileSync, readdirSync, chmodSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, dirname } from 'node:path';

const { out, networkSpecPath, baseInitrd, kernelImage, driver } = process.env;
const spec = JSON.parse(readFileSync(networkSpecPath, 'utf8'));

const hosts = ['127.0.0.1 localhost', ...spec.machines.map((m) => `${m.ipAddress} ${m.name}`)].join('\n') + '\n';

function writeGuestFile(root, guestPath, content, mode = 0o644) {
  const target = join(root, guestPath);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, content, { mode });
}

function buildOverlay(machine, root) {
  writeGuestFile(root, '/etc/hosts', hosts);
  writeGuestFile(root, '/etc/machine/setup', `#!/bin/sh\nset -e\n${machine.setup}\n`, 0o755);
  for (const [unit, command] of Object.entries(machine.units)) {
    writeGuestFile(root, `/etc/machine/units/${unit}`, `exec ${command}\n`, 0o755);
  }
  for (const file of machine.files) {
    if ('text' in file) writeGuestFile(root, file.guestPath, file.text, 0o755);
    else writeGuestFile(root, file.guestPath, readFileSync(file.source), 0o755);
  }
  mkdirSync(join(root, 'bin'), { recursive: true });
  for (const packagePath of machine.packages) {
    for (const program of readdirSync(join(packagePath, 'bin'))) {
      copyFileSync(join(packagePath, 'bin', program), join(root, 'bin', program));
      chmodSync(join(root, 'bin', program), 0o755);
    }
  }
}

const machines = [];
for (const machine of spec.machines) {
  const root = join(process.cwd(), 'overlay', machine.name);
  buildOverlay(machine, root);
  const machineDir = join(out, 'machines', machine.name);
  mkdirSync(machineDir, { recursive: true });
  const initrd = join(machineDir, 'initrd.gz');
  const overlay = execFileSync('/bin/sh', ['-c', 'find . | /bin/busybox cpio -o -H newc 2>/dev/null | gzip -1'], {
    cwd: root,
    maxBuffer: 1 << 30,
  });
  writeFileSync(initrd, Buffer.concat([readFileSync(baseInitrd), overlay]));
  const { name, ipAddress, macAddress, display, memory } = machine;
  machines.push({ name, ipAddress, macAddress, display, memory, initrd });
}

writeFileSync(join(out, 'network.json'), JSON.stringify({ name: spec.name, kernelImage, machines }, null, 2) + '\n');
mkdirSync(join(out, 'bin'));
writeFileSync(
  join(out, 'bin', 'run-vms'),
  `#!/bin/sh\nexec /usr/bin/node ${driver}/run-vms.mjs ${out}/network.json\n`,
  {
    mode: 0o755,
  },
);
