import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';

export interface Comparison {
  changedPixels: number;
  totalPixels: number;
  /** The difference overlay (changed pixels red over a faded copy), or null when sizes differ. */
  diffPng: Buffer | null;
}

/**
 * Compares two screens as pixelmatch does, anti-aliasing aware (an anti-aliased edge that
 * moved is not a change). Screens of different sizes count every pixel as changed.
 */
export function compareScreens(current: PNG, previous: PNG): Comparison {
  const totalPixels = current.width * current.height;
  if (current.width !== previous.width || current.height !== previous.height)
    return { changedPixels: totalPixels, totalPixels, diffPng: null };
  const diff = new PNG({ width: current.width, height: current.height });
  const changedPixels = pixelmatch(previous.data, current.data, diff.data, current.width, current.height, {
    threshold: 0.1,
    includeAA: false,
  });
  return { changedPixels, totalPixels, diffPng: PNG.sync.write(diff) };
}
