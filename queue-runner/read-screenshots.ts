import { lstatSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { buildProducts } from '../core/db/builds.ts';
import type { Db } from '../core/db/database.ts';
import { buildScreenshots, previousSuccessfulBuild, type ScreenshotRecord } from '../core/db/screenshots.ts';
import type { ProductRecord } from '../core/db/build-results.ts';
import { compareScreens } from '../core/screenshots/compare.ts';
import { readPngBounded } from '../core/screenshots/png.ts';

const MAX_PER_PRODUCT = 20;

interface Shot {
  productnr: number;
  file: string;
  name: string;
  path: string;
}

function isFile(path: string): boolean {
  try {
    return lstatSync(path).isFile(); // never a symlink out of the output
  } catch {
    return false;
  }
}

/** Hydra's `file screenshot` products, and the PNGs at the top of a `report screenshot` directory. */
export function screenshotsOf(products: readonly Pick<ProductRecord, 'type' | 'subtype' | 'path'>[]): Shot[] {
  const shots: Shot[] = [];
  products.forEach((p, i) => {
    if (p.subtype !== 'screenshot') return;
    if (isFile(p.path)) {
      shots.push({ productnr: i + 1, file: '', name: basename(p.path), path: p.path });
      return;
    }
    let names: string[] = [];
    try {
      names = readdirSync(p.path)
        .filter((n) => n.endsWith('.png'))
        .sort()
        .slice(0, MAX_PER_PRODUCT);
    } catch {
      return;
    }
    for (const n of names)
      if (isFile(join(p.path, n))) shots.push({ productnr: i + 1, file: n, name: n, path: join(p.path, n) });
  });
  return shots;
}

/**
 * Reads a finished build's screenshots and compares each with the one of the same name in
 * the job's previous successful build, once, here: the difference image is stored with the
 * build and pages only send it.
 */
export function readScreenshots(
  db: Db,
  build: { id: number; jobset_id: number; job: string },
  products: readonly ProductRecord[],
): ScreenshotRecord[] {
  const shots = screenshotsOf(products);
  if (shots.length === 0) return [];
  const previousId = previousSuccessfulBuild(db, build.jobset_id, build.job, build.id);
  const previous = new Map<string, Shot>();
  if (previousId !== undefined) {
    const prevProducts = buildProducts(db, previousId);
    for (const s of buildScreenshots(db, previousId)) {
      const p = prevProducts.find((x) => x.productnr === s.productnr);
      if (p && !s.error && !previous.has(s.name))
        previous.set(s.name, {
          productnr: s.productnr,
          file: s.file,
          name: s.name,
          path: s.file ? join(p.path, s.file) : p.path,
        });
    }
  }
  return shots.map((shot) => {
    const record: ScreenshotRecord = {
      productnr: shot.productnr,
      file: shot.file,
      name: shot.name,
      width: null,
      height: null,
      error: null,
      previousBuildId: null,
      previousProductnr: null,
      previousFile: null,
      changedPixels: null,
      totalPixels: null,
      diffPng: null,
    };
    const read = readPngBounded(shot.path);
    if (!read.ok)
      return { ...record, error: `${shot.name} ${read.error}`, width: read.width ?? null, height: read.height ?? null };
    record.width = read.png.width;
    record.height = read.png.height;
    const before = previous.get(shot.name);
    const old = before ? readPngBounded(before.path) : null;
    if (!before || !old?.ok) return record;
    const c = compareScreens(read.png, old.png);
    return {
      ...record,
      previousBuildId: previousId!,
      previousProductnr: before.productnr,
      previousFile: before.file,
      changedPixels: c.changedPixels,
      totalPixels: c.totalPixels,
      diffPng: c.diffPng,
    };
  });
}
