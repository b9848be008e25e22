import { createHash } from 'node:crypto';
import { createReadStream, existsSync, lstatSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ProductRecord } from '../core/db/build-results.ts';
import { parseBuildProducts, parseMetrics } from '../core/model/build-products.ts';

export interface OutputFacts {
  products: ProductRecord[];
  metrics: { name: string; value: number; unit: string | null }[];
  releaseName: string | null;
  /** `nix-support/failed` exists: the build produced output but reports failure (status 6). */
  failedWithOutput: boolean;
  /**
   * What is wrong with hydra-build-products, one line each: lines refused (paths outside the
   * outputs, bad syntax) and products that do not exist. Written to the step's log, where the
   * author of the job looks when a product is missing.
   */
  problems: string[];
}

function readIfFile(path: string): string | null {
  try {
    const st = lstatSync(path);
    // A symlink could point anywhere on this machine; only regular files are read.
    return st.isFile() ? readFileSync(path, 'utf8') : null;
  } catch {
    return null;
  }
}

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path).on('data', (d) => hash.update(d)).on('error', reject).on('end', () => resolve(hash.digest('hex')));
  });
}

/**
 * Reads what a finished build declares about itself in its outputs' nix-support/ files,
 * once per step: every build of the step's derivation is recorded from the same facts.
 */
export async function readOutputFacts(outputs: Record<string, string>): Promise<OutputFacts> {
  const paths = Object.values(outputs);
  const facts: OutputFacts = { products: [], metrics: [], releaseName: null, failedWithOutput: false, problems: [] };
  for (const out of paths) {
    const support = join(out, 'nix-support');
    const productsText = readIfFile(join(support, 'hydra-build-products'));
    if (productsText !== null) {
      const parsed = parseBuildProducts(productsText, paths);
      for (const r of parsed.rejected) facts.problems.push(`build product refused: ${JSON.stringify(r.line)}: ${r.reason}`);
      for (const p of parsed.products) {
        let filesize: number | null = null;
        let sha256hash: string | null = null;
        try {
          const st = lstatSync(p.path);
          if (st.isFile()) {
            filesize = st.size;
            sha256hash = await sha256File(p.path);
          }
        } catch {
          // A product that does not exist is still listed, as in Hydra; its download answers 404.
          facts.problems.push(`build product ${JSON.stringify(p.path)} does not exist`);
        }
        facts.products.push({ ...p, name: basename(p.path), filesize, sha256hash });
      }
    }
    const metricsText = readIfFile(join(support, 'hydra-metrics'));
    if (metricsText !== null) facts.metrics.push(...parseMetrics(metricsText));
    const release = readIfFile(join(support, 'hydra-release-name'));
    if (release !== null && release.trim()) facts.releaseName = release.trim().split('\n')[0]!.slice(0, 255);
    if (existsSync(join(support, 'failed'))) facts.failedWithOutput = true;
  }
  return facts;
}
