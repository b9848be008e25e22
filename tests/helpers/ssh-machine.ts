import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { basename, join } from 'node:path';
import { after } from 'node:test';
import { waitFor } from './wait.ts';

/**
 * A real build machine on loopback: sshd in its own mount namespace, where /nix is a temp
 * dir holding an empty store of its own. Keys and known hosts live in the temp dir; the
 * machine's /root/.ssh and /etc/ssh are never touched.
 */
export class SshMachine {
  readonly nixDir: string;
  port = 0;
  private sshd: ChildProcess | undefined;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.nixDir = join(dir, 'nix');
    mkdirSync(this.nixDir, { recursive: true });
    if (!existsSync(join(dir, 'host_key'))) {
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'user_key')]);
      writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'user_key.pub')));
    }
    after(() => this.kill());
  }

  async start(): Promise<this> {
    this.port ||= await freePort();
    writeFileSync(
      join(this.dir, 'sshd_config'),
      [
        `Port ${this.port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${join(this.dir, 'host_key')}`,
        `AuthorizedKeysFile ${join(this.dir, 'authorized_keys')}`,
        'PermitRootLogin prohibit-password',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'StrictModes no',
        `PidFile ${join(this.dir, 'sshd.pid')}`,
        '',
      ].join('\n'),
    );
    // /run/sshd (privilege separation) is made on a private tmpfs, not on this machine's /run.
    const script =
      `mount --bind ${this.nixDir} /nix && mount -t tmpfs tmpfs /run && mkdir -m 755 /run/sshd && ` +
      `exec /usr/sbin/sshd -D -e -f ${join(this.dir, 'sshd_config')}`;
    this.sshd = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    this.sshd.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    await waitFor(`sshd on port ${this.port} (${stderr})`, () => canConnect(this.port), 20);
    return this;
  }

  /** A machines-file line for this machine. */
  line(systems: string, supported = '-', mandatory = '-', maxJobs = 1, speed = 1): string {
    const hostKey = Buffer.from(readFileSync(join(this.dir, 'host_key.pub'), 'utf8').trim()).toString('base64');
    return (
      `ssh://root@127.0.0.1:${this.port} ${systems} ${join(this.dir, 'user_key')} ${maxJobs} ` +
      `${speed} ${supported} ${mandatory} ${hostKey}`
    );
  }

  get name(): string {
    return `ssh://root@127.0.0.1:${this.port}`;
  }

  /** Whether the machine's own store holds this path. */
  has(storePath: string): boolean {
    return existsSync(join(this.nixDir, 'store', basename(storePath)));
  }

  /** The machine dies: every process in its mount namespace (sshd, sessions, builds) is killed. */
  kill(): void {
    const pid = this.sshd?.pid;
    if (!pid) return;
    const ns = namespaceOf(this.sshdPid() ?? pid);
    // Only ever a namespace other than ours: never sweep this machine's own processes.
    if (ns && ns !== namespaceOf(process.pid)) {
      for (const p of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
        if (namespaceOf(Number(p)) === ns)
          try {
            process.kill(Number(p), 'SIGKILL');
          } catch {
            /* gone */
          }
      }
    }
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    this.sshd = undefined;
  }

  private sshdPid(): number | null {
    try {
      return Number(readFileSync(join(this.dir, 'sshd.pid'), 'utf8').trim());
    } catch {
      return null;
    }
  }
}

function namespaceOf(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/ns/mnt`);
  } catch {
    return null;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
