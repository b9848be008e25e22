import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';

/** One line of Nix's machines file (`man nix.conf`, "builders"), plus how to reach it. */
export interface MachineSpec {
  /** The URI as written; also the machine's name in the database and on pages. */
  name: string;
  /** null for the machine hydrant runs on (URI `localhost`, `local` or `auto`). */
  ssh: SshTarget | null;
  systems: string[];
  maxJobs: number;
  speedFactor: number;
  supportedFeatures: string[];
  mandatoryFeatures: string[];
}

export interface SshTarget {
  /** `user@host` or `host`, as ssh takes it. */
  destination: string;
  host: string;
  port: number | null;
  identityFile: string | null;
  /** The HOSTKEY column decoded: `TYPE BASE64`, pinned instead of trusting on first use. */
  hostKey: string | null;
}

export class MachinesFileError extends Error {}

const LOCAL_NAMES = new Set(['localhost', 'local', 'auto']);

/**
 * Parses Nix's machines format: `URI SYSTEMS SSHKEY MAXJOBS SPEEDFACTOR SUPPORTEDFEATURES
 * MANDATORYFEATURES HOSTKEY`, `-` or a missing column for the default, `#` comments, lists
 * separated by commas. A bad line is an error naming the line: a half-read pool would
 * send work to the wrong machines without anyone noticing.
 */
export function parseMachines(text: string, source = 'machines file'): MachineSpec[] {
  const machines: MachineSpec[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) return;
    const where = `${source} line ${index + 1}`;
    const col = line.split(/\s+/).map((c) => (c === '-' ? '' : c));
    const list = (i: number) => (col[i] ?? '').split(',').filter(Boolean);
    const number = (i: number, fallback: number, what: string, integer: boolean) => {
      if (!col[i]) return fallback;
      const n = Number(col[i]);
      if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
        throw new MachinesFileError(
          `${where}: ${what} must be a positive ${integer ? 'whole ' : ''}number, got "${col[i]}"`,
        );
      return n;
    };
    const uri = col[0]!;
    const systems = list(1);
    const ssh = LOCAL_NAMES.has(uri) ? null : parseSshUri(uri, where);
    if (ssh) {
      ssh.identityFile = col[2] || null;
      ssh.hostKey = col[7] ? decodeHostKey(col[7], where) : null;
    }
    machines.push({
      name: uri,
      ssh,
      systems: systems.length ? systems : localSystems(),
      maxJobs: number(3, 1, 'MAXJOBS', true),
      speedFactor: number(4, 1, 'SPEEDFACTOR', false),
      supportedFeatures: list(5),
      mandatoryFeatures: list(6),
    });
  });
  const names = machines.map((m) => m.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new MachinesFileError(`${source}: machine ${dup} is listed twice`);
  return machines;
}

function parseSshUri(uri: string, where: string): SshTarget {
  // Nix writes `ssh://user@host` or a bare `user@host`; `ssh-ng://` speaks the same ssh.
  const m = /^(?:(?:ssh|ssh-ng):\/\/)?(?:([^@/\s]+)@)?(\[[^\]]+\]|[^:/@\s]+)(?::(\d+))?$/.exec(uri);
  if (!m) throw new MachinesFileError(`${where}: "${uri}" is not an ssh:// URI, user@host or localhost`);
  const host = m[2]!.replace(/^\[|\]$/g, '');
  return {
    destination: m[1] ? `${m[1]}@${host}` : host,
    host,
    port: m[3] ? Number(m[3]) : null,
    identityFile: null,
    hostKey: null,
  };
}

function decodeHostKey(base64: string, where: string): string {
  const text = Buffer.from(base64, 'base64').toString('utf8').trim();
  if (!/^(ssh|ecdsa)-\S+ [A-Za-z0-9+/=]+/.test(text))
    throw new MachinesFileError(`${where}: HOSTKEY is not a base64-encoded public host key`);
  return text.split(/\s+/).slice(0, 2).join(' ');
}

/** The systems this machine builds natively: x86_64 also runs i686 code. */
export function localSystems(arch: string = process.arch): string[] {
  if (arch === 'x64') return ['x86_64-linux', 'i686-linux'];
  if (arch === 'arm64') return ['aarch64-linux'];
  return [`${arch}-linux`];
}

/**
 * Nix's default system features, with nixos-test only when QEMU is installed (VM tests
 * routed here would fail otherwise) and kvm only when /dev/kvm can create a VM.
 */
export function localFeatures(kvmDevice = '/dev/kvm', path = process.env.PATH ?? ''): string[] {
  return [
    ...(qemuInstalled(path) ? ['nixos-test'] : []),
    'benchmark',
    'big-parallel',
    ...(kvmWorks(kvmDevice) ? ['kvm'] : []),
  ];
}

function qemuInstalled(path: string): boolean {
  return path.split(':').some((dir) => dir && existsSync(join(dir, 'qemu-system-x86_64')));
}

// KVM_CREATE_VM is _IO(0xAE, 0x01). Opening /dev/kvm is not enough: without nested
// virtualisation the device exists and opens, and only creating a VM fails. Node cannot
// ioctl, so perl (perl-base is essential in Debian, always installed) asks the kernel.
const CREATE_VM_PROBE =
  'open(my $f, "+<", $ARGV[0]) or exit 1; my $vm = ioctl($f, 0xAE01, 0); exit(defined $vm ? 0 : 1)';

function kvmWorks(device: string): boolean {
  if (!existsSync(device)) return false;
  try {
    execFileSync('perl', ['-e', CREATE_VM_PROBE, device], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false; // no permission, no nested virtualisation, or no perl to ask with
  }
}

/** The pool when no machines file is given: this machine, one job per core. */
export function defaultMachines(maxJobs = Math.max(1, cpus().length)): MachineSpec[] {
  return [
    {
      name: 'localhost',
      ssh: null,
      systems: localSystems(),
      maxJobs,
      speedFactor: 1,
      supportedFeatures: localFeatures(),
      mandatoryFeatures: [],
    },
  ];
}
