import { humanDuration } from '../helpers.ts';
import { links } from './links.ts';

/**
 * The build-time chart of /job/P/J/JOB as plain SVG data for the template: one bar per
 * successful build, oldest on the left, so no chart library runs in the browser.
 */
export function durationChart(points: { id: number; duration: number }[], width = 600, height = 120) {
  if (points.length === 0) return null;
  const max = Math.max(1, ...points.map((p) => p.duration));
  const step = width / points.length;
  return {
    width,
    height,
    max: humanDuration(max),
    bars: points.map((p, i) => {
      const h = Math.max(1, Math.round((p.duration / max) * (height - 4)));
      return {
        x: +(i * step).toFixed(1),
        y: height - h,
        w: Math.max(1, +(step * 0.8).toFixed(1)),
        h,
        url: links.build(p.id),
        label: `build ${p.id}: ${humanDuration(p.duration)}`,
      };
    }),
  };
}
