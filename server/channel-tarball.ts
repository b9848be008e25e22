import { spawn } from 'node:child_process';

/** One file of a ustar archive: a 512-byte header, then the contents padded to 512 bytes. */
function tarEntry(name: string, contents: Buffer): Buffer {
  const header = Buffer.alloc(512);
  const field = (offset: number, length: number, value: string) => header.write(value, offset, length, 'utf8');
  const octal = (offset: number, length: number, n: number) =>
    field(offset, length, `${n.toString(8).padStart(length - 1, '0')}\0`);
  field(0, 100, name);
  octal(100, 8, 0o644);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, contents.length);
  // Hydra writes every file with mtime 1, so the same channel gives the same tarball.
  octal(136, 12, 1);
  header.fill(' ', 148, 156);
  field(156, 1, '0');
  field(257, 6, 'ustar\0');
  field(263, 2, '00');
  let sum = 0;
  for (const byte of header) sum += byte;
  field(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return Buffer.concat([header, contents, Buffer.alloc((512 - (contents.length % 512)) % 512)]);
}

/** Hydra's channel tarball (View/NixExprs.pm): channel/channel-name and channel/default.nix. */
export function channelTar(channelName: string, defaultNix: string): Buffer {
  return Buffer.concat([
    tarEntry('channel/channel-name', Buffer.from(channelName)),
    tarEntry('channel/default.nix', Buffer.from(defaultNix)),
    Buffer.alloc(1024),
  ]);
}

export const COMPRESSORS = {
  'nixexprs.tar.bz2': { program: 'bzip2', type: 'application/x-bzip2' },
  'nixexprs.tar.xz': { program: 'xz', type: 'application/x-xz' },
} as const;

/** Compresses a small buffer (a channel's tarball) with bzip2 or xz, off the event loop. */
export function compress(data: Buffer, program: 'bzip2' | 'xz'): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, ['-c'], { stdio: ['pipe', 'pipe', 'ignore'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`${program} exited with ${code}`)),
    );
    child.stdin.end(data);
  });
}
