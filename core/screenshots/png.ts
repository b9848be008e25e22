import { closeSync, fstatSync, openSync, readSync, readFileSync } from 'node:fs';
import { PNG } from 'pngjs';

/**
 * Bounds on decoding a build's PNGs (written by anyone who can push a commit): the size a
 * PNG declares in its header is checked before anything is allocated for it, so a
 * 50,000 × 50,000 image costs 33 bytes of reading, not 10 GB.
 */
export const PNG_LIMITS = { maxBytes: 32 * 1024 * 1024, maxPixels: 4096 * 4096 };

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export type PngRead = { ok: true; png: PNG } | { ok: false; error: string; width?: number; height?: number };

/** The width and height a PNG declares, or why it is not a PNG; reads 33 bytes. */
export function pngHeader(path: string): { width: number; height: number; bytes: number } | { error: string } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    return { error: `cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  try {
    const head = Buffer.alloc(33);
    const n = readSync(fd, head, 0, 33, 0);
    if (n < 33 || !head.subarray(0, 8).equals(SIGNATURE) || head.toString('latin1', 12, 16) !== 'IHDR')
      return { error: 'is not a PNG image' };
    return { width: head.readUInt32BE(16), height: head.readUInt32BE(20), bytes: fstatSync(fd).size };
  } finally {
    closeSync(fd);
  }
}

export function readPngBounded(path: string, limits = PNG_LIMITS): PngRead {
  const head = pngHeader(path);
  if ('error' in head) return { ok: false, error: head.error };
  const { width, height } = head;
  if (width === 0 || height === 0) return { ok: false, error: 'is an empty image (0 pixels)', width, height };
  if (width * height > limits.maxPixels) {
    return {
      ok: false,
      error: `declares ${width} × ${height} pixels, more than the ${limits.maxPixels} hydrant decodes`,
      width,
      height,
    };
  }
  if (head.bytes > limits.maxBytes)
    return {
      ok: false,
      error: `is ${head.bytes} bytes, more than the ${limits.maxBytes} hydrant reads`,
      width,
      height,
    };
  try {
    return { ok: true, png: PNG.sync.read(readFileSync(path)) };
  } catch (e) {
    return { ok: false, error: `is a damaged PNG (${(e as Error).message})`, width, height };
  }
}
