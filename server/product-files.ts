import { realpathSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';

/**
 * The file a download URL names inside a build product, or null when it names nothing
 * or anything outside the product: `..` segments, absolute segments, NUL bytes and
 * symlinks that lead out are all refused. A directory serves its index.html.
 */
export function productFile(productPath: string, segments: string[], defaultPath: string | null): string | null {
  if (segments.some((s) => s === '..' || s === '.' || s.includes('/') || s.includes('\\') || s.includes('\0'))) return null;
  let root: string;
  try {
    root = realpathSync(productPath);
  } catch {
    return null;
  }
  let wanted = segments;
  if (wanted.length === 0 && defaultPath) wanted = defaultPath.split('/').filter(Boolean);
  let full: string;
  try {
    full = realpathSync(join(root, ...wanted));
    if (statSync(full).isDirectory()) full = realpathSync(join(full, 'index.html'));
  } catch {
    return null;
  }
  const inside = full === root || full.startsWith(root.endsWith(sep) ? root : root + sep);
  return inside && statSync(full).isFile() ? full : null;
}
