import { lstatSync, readdirSync, readlinkSync } from 'node:fs';

/** Bytes a string of `length` bytes takes in a NAR: the length as 8 bytes, then the bytes padded to 8. */
const str = (length: number) => 8 + Math.ceil(length / 8) * 8;
const token = (s: string) => str(Buffer.byteLength(s));

/**
 * The size of a path's NAR serialisation (what Nix reports as narSize), computed from the
 * file system without reading any file's contents: the format depends only on names, sizes,
 * symlink targets and the executable bit. For outputs built on this machine it answers in
 * microseconds, where asking Nix costs a round trip per step. Names and targets are taken
 * as bytes, as Nix does, not as decoded strings.
 */
export function narSize(path: string): number {
  return token('nix-archive-1') + nodeSize(Buffer.from(path));
}

function nodeSize(path: Buffer): number {
  const st = lstatSync(path);
  let size = token('(') + token('type');
  if (st.isSymbolicLink()) {
    size += token('symlink') + token('target') + str(readlinkSync(path, { encoding: 'buffer' }).length);
  } else if (st.isDirectory()) {
    size += token('directory');
    // Nix writes entries sorted by name; the order does not change the size.
    for (const name of readdirSync(path, { encoding: 'buffer' })) {
      const child = Buffer.concat([path, Buffer.from('/'), name]);
      size +=
        token('entry') + token('(') + token('name') + str(name.length) + token('node') + nodeSize(child) + token(')');
    }
  } else if (st.isFile()) {
    size +=
      token('regular') +
      ((st.mode & 0o100) !== 0 ? token('executable') + token('') : 0) +
      token('contents') +
      str(st.size);
  } else {
    throw new Error(`${path.toString()}: not a file, directory or symlink, which a store path cannot hold`);
  }
  return size + token(')');
}
