import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The hydrant checkout, found by walking up to package.json: code runs both from the
 * sources (tsx) and from dist/, so a fixed number of '..' would be wrong in one of them.
 */
function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('hydrant: cannot find package.json above ' + import.meta.url);
    dir = parent;
  }
  return dir;
}

export const PACKAGE_ROOT = findPackageRoot();
export const TEMPLATES_DIR = join(PACKAGE_ROOT, 'templates');
export const STATIC_DIR = join(PACKAGE_ROOT, 'templates', 'static');
export const BUNDLED_JOBSETS_DIR = join(PACKAGE_ROOT, 'jobsets');
