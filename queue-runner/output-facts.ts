import { createHash } from 'node:crypto';
import { createReadStream, lstatSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ProductRecord } from '../core/db/build-results.ts';
import { parseBuildProducts, parseMetrics, type DeclaredProduct } from '../core/model/build-products.ts';
import { outputContaining, realPathInsideOutput, resolveInsideOutput } from '../core/nix/inside-output.ts';

export interface OutputFacts {
  products: ProductRecord[];
  metrics: { name: string; value: number; unit: string | null }[];
  releaseName: string | null;
  /** `nix-support/failed` exists: the build produced output but reports failure (status 6). */
  failedWithOutput: boolean;
  /**
   * What is wrong with hydra-build-products, one line each: lines refused (paths outside the
   * outputs, bad syntax), products leading out of their output through a symlink and products
   * that do not exist. Written to the step's log, where the author of the job looks when a
   * product is missing.
   */
  problems: string[];
}

/** nix-support files are small; a bigger one is not read (a build controls its size). */
const MAX_SUPPORT_FILE = 1 << 20;

/**
 * Whether output `out` may hold nix-support files: its nix-support is a directory, or a
 * symlink (readIfFile follows and checks it). Most outputs have none, and one lstat answers
 * for them, where each file asked for resolved every symlink of its path: five files, three
 * realpaths each, were a tenth of a trivial step's bookkeeping on the queue runner's thread.
 * Anything else (missing, `out` a file) holds no file readIfFile would read.
 */
function mayHaveSupportFiles(out: string): boolean {
  try {
    const st = lstatSync(join(out, 'nix-support'));
    return st.isDirectory() || st.isSymbolicLink();
  } catch {
    return false;
  }
}

/** A nix-support file of output `out`, when it is a regular file inside that output (no symlink leads out). */
function readIfFile(out: string, relative: string): string | null {
  const real = realPathInsideOutput(out, join(out, relative));
  try {
    const st = real === null ? null : lstatSync(real);
    return st?.isFile() && st.size <= MAX_SUPPORT_FILE ? readFileSync(real!, 'utf8') : null;
  } catch {
    return null;
  }
}

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (d) => hash.update(d))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/**
 * The products the outputs declare, each with its real path when it exists inside its
 * own output, and what is wrong with the rest, one line each: lines refused (paths outside
 * the outputs, bad syntax), products that lead out of their output through a symlink (the
 * file itself or any directory on its way) and products that do not exist; and which outputs
 * have a hydra-build-products file (those get no default product).
 */
function declaredProducts(
  outputs: Record<string, string>,
  supportFile: (out: string, name: string) => string | null,
): {
  products: (DeclaredProduct & { real: string | null })[];
  problems: string[];
  declaring: Set<string>;
} {
  const paths = Object.values(outputs);
  const products: (DeclaredProduct & { real: string | null })[] = [];
  const problems: string[] = [];
  const declaring = new Set<string>();
  for (const out of paths) {
    const text = supportFile(out, 'hydra-build-products');
    if (text === null) continue;
    declaring.add(out);
    const parsed = parseBuildProducts(text, paths);
    for (const r of parsed.rejected) problems.push(`build product refused: ${JSON.stringify(r.line)}: ${r.reason}`);
    for (const p of parsed.products) {
      const where = resolveInsideOutput(outputContaining(paths, p.path) ?? '', p.path);
      if ('outside' in where)
        problems.push(`build product refused: ${JSON.stringify(p.path)} leads out of its output through a symlink`);
      else if ('missing' in where) {
        problems.push(`build product ${JSON.stringify(p.path)} does not exist`);
        products.push({ ...p, real: null });
      } else products.push({ ...p, real: where.real });
    }
  }
  return { products, problems, declaring };
}

/**
 * Reads what a finished build declares about itself in its outputs' nix-support/ files,
 * once per step: every build of the step's derivation is recorded from the same facts.
 */
export async function readOutputFacts(outputs: Record<string, string>): Promise<OutputFacts> {
  const paths = Object.values(outputs);
  const withSupport = new Set(paths.filter(mayHaveSupportFiles));
  const supportFile = (out: string, name: string) =>
    withSupport.has(out) ? readIfFile(out, `nix-support/${name}`) : null;
  const declared = declaredProducts(outputs, supportFile);
  const facts: OutputFacts = {
    products: [],
    metrics: [],
    releaseName: null,
    failedWithOutput: false,
    problems: declared.problems,
  };
  // A product that does not exist is still listed, as in Hydra, and its download answers 404.
  for (const { real, ...p } of declared.products) {
    let filesize: number | null = null;
    let sha256hash: string | null = null;
    try {
      const st = real === null ? null : lstatSync(real);
      if (st?.isFile()) {
        filesize = st.size;
        sha256hash = await sha256File(real!);
      }
    } catch {
      // Vanished meanwhile: listed without size and hash.
    }
    facts.products.push({ ...p, name: basename(p.path), filesize, sha256hash });
  }
  for (const [outputName, out] of Object.entries(outputs)) {
    if (declared.declaring.has(out)) continue;
    const product = defaultProduct(outputName, out);
    if (product) facts.products.push(product);
  }
  for (const out of withSupport) {
    const metricsText = supportFile(out, 'hydra-metrics');
    if (metricsText !== null) facts.metrics.push(...parseMetrics(metricsText));
    const release = supportFile(out, 'hydra-release-name');
    if (release !== null && release.trim()) facts.releaseName = release.trim().split('\n')[0]!.slice(0, 255);
    if (realPathInsideOutput(out, join(out, 'nix-support', 'failed')) !== null) facts.failedWithOutput = true;
  }
  return facts;
}

/**
 * The product Hydra records for an output that declares none (its queue runner,
 * crates/nix-support/src/lib.rs): a "nix-build" product of the output itself, subtype the
 * output's name unless it is "out", named like the store path without its hash. Only for
 * an output that is not a regular file (Hydra skips a plain-file output).
 */
function defaultProduct(outputName: string, out: string): ProductRecord | null {
  try {
    if (lstatSync(out).isFile()) return null;
  } catch {
    return null;
  }
  return {
    type: 'nix-build',
    subtype: outputName === 'out' ? '' : outputName,
    path: out,
    name: basename(out).replace(/^[0-9a-z]{32}-/, ''),
    defaultpath: '',
    filesize: null,
    sha256hash: null,
  };
}
