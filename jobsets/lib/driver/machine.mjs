import { mkdirSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Backdoor } from './backdoor.mjs';
import { Qmp } from './qmp.mjs';
import { onLines } from './line-reader.mjs';
import { spawnOwned, waitForExit } from './owned-processes.mjs';
import { runHostCommand } from './host-command.mjs';

const defaultTimeoutMs = 30_000;
const shellBootTimeoutMs = 60_000;

// One QEMU VM as seen by a test script. Every public method is one logged step.
export class Machine {
  #qemu = null;
  #backdoor = null;
  #qmp = null;
  #expectingExit = false;

  constructor({ spec, kernelImage, stateDir, outDir, coverageDir, log, products }) {
    this.name = spec.name;
    this.spec = spec;
    this.kernelImage = kernelImage;
    this.stateDir = join(stateDir, spec.name);
    this.outDir = outDir;
    this.coverageDir = coverageDir;
    this.log = log;
    this.products = products;
    mkdirSync(this.stateDir, { recursive: true });
  }

  get isRunning() {
    return this.#qemu !== null && this.#qemu.exitCode === null && this.#qemu.signalCode === null;
  }

  #step(description, action) {
    return this.log.step(this.name, description, action);
  }

  #qemuArguments(netdev) {
    const { spec } = this;
    const consoles = spec.display ? 'console=tty0 console=ttyS0' : 'console=ttyS0';
    // The cloud kernel self-tests its crypto at boot: a third of the boot under TCG.
    // no_timer_check: on a loaded host TCG is too slow for the kernel's IO-APIC timer check,
    // which then panics ("IO-APIC + timer doesn't work!"); VM images turn it off for this.
    const kernelParams = `${consoles} quiet panic=-1 cryptomgr.notests no_timer_check`;
    return [
      '-accel',
      'tcg',
      '-nodefaults',
      '-no-reboot',
      '-smp',
      '1',
      '-m',
      String(spec.memory),
      '-display',
      'none',
      ...(spec.display ? ['-vga', 'std'] : []),
      '-kernel',
      this.kernelImage,
      '-initrd',
      spec.initrd,
      '-append',
      `${kernelParams} hydrant.hostname=${spec.name} hydrant.ip=${spec.ipAddress}`,
      '-serial',
      'stdio',
      '-chardev',
      `socket,id=backdoor,path=${join(this.stateDir, 'bd.sock')}`,
      '-device',
      'isa-serial,chardev=backdoor',
      '-qmp',
      `unix:${join(this.stateDir, 'qmp.sock')},server=on,wait=off`,
      '-netdev',
      netdev,
      '-device',
      `virtio-net-pci,netdev=net0,id=nic0,mac=${spec.macAddress}`,
    ];
  }

  // Returns once QEMU runs; waitForShell waits for the guest.
  async start(netdev) {
    this.#backdoor = new Backdoor(join(this.stateDir, 'bd.sock'));
    await this.#backdoor.listening;
    this.log.from(this.name, `starting VM (${this.spec.ipAddress}${this.spec.display ? ', display' : ''})`);
    this.#expectingExit = false;
    const qemu = spawnOwned('/usr/bin/qemu-system-x86_64', this.#qemuArguments(netdev), {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#qemu = qemu;
    onLines(qemu.stdout, (line) => this.log.from(`${this.name}#`, line));
    onLines(qemu.stderr, (line) => this.log.from(`${this.name}!`, line));
    qemu.once('exit', (code, signal) => {
      const how = signal ? `signal ${signal}` : `status ${code}`;
      if (!this.#expectingExit) this.log.from(this.name, `VM exited unexpectedly (${how})`);
      this.#backdoor.break(`${this.name}: VM is not running (QEMU exited with ${how})`);
      this.#qmp?.close();
    });
    this.#qmp = await Qmp.open(join(this.stateDir, 'qmp.sock'));
  }

  waitForShell() {
    return this.#step('waiting for the driver shell', () => this.#backdoor.waitReady(shellBootTimeoutMs));
  }

  // The raw primitive: never throws on a non-zero status.
  async execute(command, timeoutMs = 60_000) {
    if (!this.isRunning) throw new Error(`${this.name}: VM is not running (crashed, shut down or never started)`);
    const { status, output } = await this.#backdoor.run(command, timeoutMs);
    return { status, output: output.toString('utf8') };
  }

  succeed(command) {
    return this.#step(`must succeed: ${command}`, async () => {
      const { status, output } = await this.execute(command);
      if (status !== 0) throw new Error(`${this.name}: command failed with status ${status}: ${command}\n${output}`);
      return output;
    });
  }

  fail(command) {
    return this.#step(`must fail: ${command}`, async () => {
      const { status, output } = await this.execute(command);
      if (status === 0)
        throw new Error(`${this.name}: command succeeded but should have failed: ${command}\n${output}`);
      return output;
    });
  }

  waitUntilSucceeds(command, timeoutMs = defaultTimeoutMs) {
    return this.#step(`waiting until succeeds: ${command}`, () =>
      this.#retry(timeoutMs, `never succeeded: ${command}`, async () => {
        const { status, output } = await this.execute(command);
        return status === 0 ? { done: output } : { lastOutput: output };
      }),
    );
  }

  waitUntilFails(command, timeoutMs = defaultTimeoutMs) {
    return this.#step(`waiting until fails: ${command}`, () =>
      this.#retry(timeoutMs, `never failed: ${command}`, async () => {
        const { status, output } = await this.execute(command);
        return status !== 0 ? { done: output } : { lastOutput: output };
      }),
    );
  }

  // Units are the long-running commands of the machine spec (guest/init.sh starts
  // them). A unit that has died fails at once with its log, not after a timeout.
  waitForUnit(unit, timeoutMs = defaultTimeoutMs) {
    const probe = `
      [ -f /etc/machine/units/${unit} ] || { echo "no unit named ${unit}"; exit 3; }
      [ -f /run/units/${unit}.pid ] || exit 2
      kill -0 "$(cat /run/units/${unit}.pid)" 2>/dev/null && exit 0
      echo "unit ${unit} has exited; its log:"; tail -n 20 /var/log/${unit}.log; exit 3`;
    return this.#step(`waiting for unit ${unit}`, () =>
      this.#retry(timeoutMs, `unit ${unit} did not start`, async () => {
        const { status, output } = await this.execute(probe);
        if (status === 3) throw new Error(`${this.name}: ${output}`);
        return status === 0 ? { done: true } : {};
      }),
    );
  }

  // Reads the kernel's socket table: busybox nc has no -z, and a probe connection
  // would be served by (and show up in the logs of) the program under test.
  waitForOpenPort(port, timeoutMs = defaultTimeoutMs) {
    const hexPort = Number(port).toString(16).toUpperCase().padStart(4, '0');
    const probe = `grep -q ':${hexPort} [0-9A-F]*:0000 0A' /proc/net/tcp /proc/net/tcp6`;
    return this.#step(`waiting for TCP port ${port}`, () =>
      this.#retry(timeoutMs, `nothing listens on port ${port}`, async () => {
        const { status } = await this.execute(probe);
        return status === 0 ? { done: true } : {};
      }),
    );
  }

  async #retry(timeoutMs, message, attempt) {
    const deadline = Date.now() + timeoutMs;
    let lastOutput = '';
    for (;;) {
      const outcome = await attempt();
      if ('done' in outcome) return outcome.done;
      lastOutput = outcome.lastOutput ?? lastOutput;
      if (Date.now() > deadline) {
        throw new Error(`${this.name}: ${message} within ${timeoutMs / 1000} s${lastOutput ? `\n${lastOutput}` : ''}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  screenshot(name) {
    return this.#step(`screenshot ${name}.png`, async () => {
      if (!this.spec.display) throw new Error(`${this.name} has no display (set display = true in its spec)`);
      const ppm = join(this.stateDir, `${name}.ppm`);
      const png = join(this.outDir, `${name}.png`);
      await this.#qmp.execute('screendump', { filename: ppm });
      await runHostCommand(`/usr/bin/pnmtopng < '${ppm}' > '${png}'`);
      this.products.add('file', 'screenshot', png);
      return png;
    });
  }

  // Pulls the plug: no coverage, no clean shutdown, peers see silence.
  crash() {
    return this.#step('crashing (killing QEMU)', async () => {
      this.#expectingExit = true;
      this.#qemu.kill('SIGKILL');
      await waitForExit(this.#qemu, 5000);
    });
  }

  shutdown() {
    return this.#step('shutting down', async () => {
      if (!this.isRunning) return;
      if (this.coverageDir) await this.collectCoverage();
      this.#expectingExit = true;
      this.#backdoor.send('poweroff -f');
      if (!(await waitForExit(this.#qemu, 5000))) this.#qemu.kill('SIGKILL');
      this.#backdoor.close();
    });
  }

  // Cuts the machine's cable at the virtual NIC, as a network outage would.
  block() {
    return this.#step('network link down', () => this.#qmp.execute('set_link', { name: 'nic0', up: false }));
  }

  unblock() {
    return this.#step('network link up', () => this.#qmp.execute('set_link', { name: 'nic0', up: true }));
  }

  // gcov writes .gcda files only when a program exits, so units get SIGTERM first
  // (the programs under test exit cleanly on it). The tree is small: a tar over the
  // serial line is fast enough.
  collectCoverage() {
    return this.#step('collecting coverage data', async () => {
      await this.execute(`
        for pidfile in /run/units/*.pid; do
          [ -f "$pidfile" ] && kill -TERM "$(cat "$pidfile")" 2>/dev/null
        done
        for attempt in $(seq 50); do
          alive=0
          for pidfile in /run/units/*.pid; do
            [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null && alive=1
          done
          [ $alive = 0 ] && break
          sleep 0.1
        done`);
      const { status, output } = await this.#backdoor.run('tar -c -C /gcov . | gzip -1', 60_000);
      if (status !== 0) throw new Error(`${this.name}: could not archive /gcov`);
      const target = join(this.coverageDir, this.name);
      mkdirSync(target, { recursive: true });
      await extractTarGz(output, target);
    });
  }

  kill() {
    if (this.isRunning) {
      this.#expectingExit = true;
      this.#qemu.kill('SIGKILL');
    }
    this.#backdoor?.close();
  }
}

function extractTarGz(archive, directory) {
  return new Promise((resolve, reject) => {
    const tar = spawn('/bin/tar', ['-xz', '-C', directory], { stdio: ['pipe', 'inherit', 'inherit'] });
    tar.once('error', reject);
    tar.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`tar exited with ${code}`))));
    tar.stdin.end(archive);
  });
}
