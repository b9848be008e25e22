import { posix } from 'node:path';

export interface DeclaredProduct {
  type: string;
  subtype: string;
  path: string;
  defaultpath: string | null;
}

export interface ProductsParseResult {
  products: DeclaredProduct[];
  /** Lines that were rejected, with the reason, for the build log. */
  rejected: { line: string; reason: string }[];
}

/** Splits a line into words; "double quoted" words may contain spaces (Hydra's rule). */
function words(line: string): string[] | null {
  const out: string[] = [];
  const re = /\s*(?:"([^"]*)"|(\S+))/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line)) !== null) {
    out.push(m[1] ?? m[2]!);
    if (re.lastIndex >= line.length) break;
  }
  return line.slice(re.lastIndex).trim() === '' ? out : null;
}

/**
 * Parses `$out/nix-support/hydra-build-products`: lines `TYPE SUBTYPE PATH [DEFAULTPATH]`.
 * A PATH must lie inside one of the build's outputs after normalisation; anything else
 * (another store path, /etc/passwd, ../ tricks) is rejected, never served.
 */
export function parseBuildProducts(text: string, outputPaths: readonly string[]): ProductsParseResult {
  const result: ProductsParseResult = { products: [], rejected: [] };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const w = words(line);
    if (!w || w.length < 3 || w.length > 4) {
      result.rejected.push({ line, reason: 'expected TYPE SUBTYPE PATH [DEFAULTPATH]' });
      continue;
    }
    const [type, subtype, path, defaultpath] = w as [string, string, string, string | undefined];
    if (!/^[\w.-]+$/.test(type) || !/^[\w.-]*$/.test(subtype)) {
      result.rejected.push({ line, reason: 'TYPE and SUBTYPE may contain only letters, digits, _ . -' });
      continue;
    }
    const normal = posix.normalize(path);
    if (!path.startsWith('/') || !outputPaths.some((o) => normal === o || normal.startsWith(o + '/'))) {
      result.rejected.push({ line, reason: `path ${JSON.stringify(path)} is not inside the build's outputs` });
      continue;
    }
    if (
      defaultpath !== undefined &&
      (defaultpath.startsWith('/') || posix.normalize(defaultpath).split('/').includes('..'))
    ) {
      result.rejected.push({
        line,
        reason: `default path ${JSON.stringify(defaultpath)} must be relative and stay inside the product`,
      });
      continue;
    }
    result.products.push({ type, subtype, path: normal, defaultpath: defaultpath ?? null });
  }
  return result;
}

/** Parses `hydra-metrics`: lines `NAME VALUE [UNIT]`; malformed lines are skipped. */
export function parseMetrics(text: string): { name: string; value: number; unit: string | null }[] {
  const metrics: { name: string; value: number; unit: string | null }[] = [];
  for (const raw of text.split('\n')) {
    const [name, value, unit] = raw.trim().split(/\s+/);
    if (!name || value === undefined || !/^[\w.:-]+$/.test(name)) continue;
    const n = Number(value);
    if (!Number.isFinite(n)) continue;
    metrics.push({ name, value: n, unit: unit ?? null });
  }
  return metrics;
}
