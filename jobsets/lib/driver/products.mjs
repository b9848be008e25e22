import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

// Hydra's conventions: nix-support/hydra-build-products holds `TYPE SUBTYPE PATH
// [DEFAULTPATH]`, nix-support/hydra-metrics holds `NAME VALUE [UNIT]`.
export function createProducts(outDir) {
  const supportDir = join(outDir, 'nix-support');
  mkdirSync(supportDir, { recursive: true });
  const quote = (path) => (/\s/.test(path) ? `"${path}"` : path);
  return {
    add(type, subtype, path, defaultPath) {
      const fields = [type, subtype, quote(path), ...(defaultPath ? [quote(defaultPath)] : [])];
      appendFileSync(join(supportDir, 'hydra-build-products'), fields.join(' ') + '\n');
    },
    metric(name, value, unit) {
      appendFileSync(join(supportDir, 'hydra-metrics'), [name, value, ...(unit ? [unit] : [])].join(' ') + '\n');
    },
  };
}
