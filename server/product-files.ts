import { statSync } from 'node:fs';
import { join } from 'node:path';
import { realPathInsideOutput } from '../core/nix/inside-output.ts';

/**
 * The file a download URL names inside a build product, or null when it names nothing or
 * anything outside the product's own build output: `..` segments, absolute segments, NUL
 * bytes, and symlinks that lead out of the output (a product that is a link, a directory
 * link, a link anywhere on the way) are all refused. `output` is the store path of the
 * build output the product lies in, so no file outside /nix/store is ever opened (not the
 * state directory, nor the database, whose locks opening it would drop). A directory serves
 * its index.html.
 */
export function productFile(
  output: string,
  productPath: string,
  segments: string[],
  defaultPath: string | null,
): string | null {
  if (segments.some((s) => s === '..' || s === '.' || s.includes('/') || s.includes('\\') || s.includes('\0')))
    return null;
  let wanted = segments;
  if (wanted.length === 0 && defaultPath) wanted = defaultPath.split('/').filter(Boolean);
  if (wanted.some((s) => s === '..')) return null;
  let full = realPathInsideOutput(output, join(productPath, ...wanted));
  try {
    if (full !== null && statSync(full).isDirectory())
      full = realPathInsideOutput(output, join(productPath, ...wanted, 'index.html'));
    return full !== null && statSync(full).isFile() ? full : null;
  } catch {
    return null;
  }
}
