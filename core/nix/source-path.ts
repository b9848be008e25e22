import { createHash, type Hash } from 'node:crypto';
import { closeSync, lstatSync, openSync, readdirSync, readlinkSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import { nixBase32 } from './signing.ts';

/** A directory or file as `nix-store --add` would store it. */
export interface SourceHash {
  /** The store path `nix-store --add` gives it. */
  storePath: string;
  /** sha256 of its NAR serialisation, hex: what `builtins.path` takes to copy it into that path. */
  narHash: string;
}

/**
 * The store path `nix-store --add PATH` gives PATH, computed without Nix: the sha256 of its
 * NAR serialisation makes a "source" path named after PATH's last component (Nix's
 * makeFixedOutputPath for a recursive sha256 without references). Checking whether that path
 * is already valid saves a Nix process (mostly start-up) each time an unchanged path input is
 * polled; knowing the hash lets an evaluation's own Nix copy a changed one. Names and symlink
 * targets are bytes, as Nix takes them.
 */
export function hashSource(path: string): SourceHash {
  const nar = createHash('sha256');
  str(nar, 'nix-archive-1');
  dump(nar, Buffer.from(path));
  const narHash = nar.digest('hex');
  const fingerprint = `source:sha256:${narHash}:/nix/store:${basename(path)}`;
  const digest = compress(createHash('sha256').update(fingerprint).digest(), 20);
  return { storePath: `/nix/store/${nixBase32(digest)}-${basename(path)}`, narHash };
}

const PAD = Buffer.alloc(8);

/** A NAR string: its length as 8 little-endian bytes, the bytes, zeros up to a multiple of 8. */
function str(h: Hash, s: string | Buffer): void {
  const bytes = typeof s === 'string' ? Buffer.from(s) : s;
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(bytes.length));
  h.update(len).update(bytes);
  if (bytes.length % 8) h.update(PAD.subarray(0, 8 - (bytes.length % 8)));
}

function dump(h: Hash, path: Buffer): void {
  const st = lstatSync(path);
  str(h, '(');
  str(h, 'type');
  if (st.isSymbolicLink()) {
    str(h, 'symlink');
    str(h, 'target');
    str(h, readlinkSync(path, { encoding: 'buffer' }));
  } else if (st.isDirectory()) {
    str(h, 'directory');
    // Nix sorts entries by their bytes.
    for (const name of readdirSync(path, { encoding: 'buffer' }).sort(Buffer.compare)) {
      str(h, 'entry');
      str(h, '(');
      str(h, 'name');
      str(h, name);
      str(h, 'node');
      dump(h, Buffer.concat([path, Buffer.from('/'), name]));
      str(h, ')');
    }
  } else if (st.isFile()) {
    str(h, 'regular');
    if (st.mode & 0o100) {
      str(h, 'executable');
      str(h, '');
    }
    str(h, 'contents');
    contents(h, path, st.size);
  } else {
    throw new Error(`${path.toString()}: not a regular file, directory or symlink`);
  }
  str(h, ')');
}

/** A file's contents as a NAR string, read in chunks (a path input may hold big files). */
function contents(h: Hash, path: Buffer, size: number): void {
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(size));
  h.update(len);
  const fd = openSync(path, 'r');
  try {
    const chunk = Buffer.alloc(Math.min(size, 1 << 20));
    let read = 0;
    while (read < size) {
      const n = readSync(fd, chunk, 0, Math.min(chunk.length, size - read), null);
      if (n === 0) throw new Error(`${path.toString()} shrank while it was read`);
      h.update(chunk.subarray(0, n));
      read += n;
    }
  } finally {
    closeSync(fd);
  }
  if (size % 8) h.update(PAD.subarray(0, 8 - (size % 8)));
}

/** Nix's compressHash: the bytes folded onto `size` bytes by xor. */
function compress(hash: Buffer, size: number): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0; i < hash.length; i++) out[i % size]! ^= hash[i]!;
  return out;
}
