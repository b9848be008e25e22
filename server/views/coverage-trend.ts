import { percent } from '../../core/coverage/tracefile.ts';
import type { JobCoveragePoint } from '../../core/db/coverage.ts';
import { links } from './links.ts';

/**
 * The coverage trend of /job/P/J/JOB/coverage as SVG data for the template: line, function
 * and branch coverage of each build, oldest on the left, on a 0–100% scale.
 */
export function coverageTrend(newestFirst: JobCoveragePoint[], width = 600, height = 160) {
  if (newestFirst.length === 0) return null;
  const points = [...newestFirst].reverse();
  const step = points.length > 1 ? (width - 20) / (points.length - 1) : 0;
  const y = (p: number | null) => +(height - 10 - ((p ?? 0) / 100) * (height - 20)).toFixed(1);
  const series = (hit: keyof JobCoveragePoint, found: keyof JobCoveragePoint) =>
    points.map((p, i) => ({
      x: +(10 + i * step).toFixed(1),
      y: y(percent(p[hit] as number, p[found] as number)),
      value: percent(p[hit] as number, p[found] as number),
      url: links.build(p.buildId),
      id: p.buildId,
    }));
  // A kind no build measured (lcov leaves branches out by default) is not drawn as 0%.
  const line = (s: { x: number; y: number; value: number | null }[]) =>
    s.every((p) => p.value === null) ? null : s.map((p) => `${p.x},${p.y}`).join(' ');
  const lines = series('linesHit', 'linesFound');
  const functions = series('functionsHit', 'functionsFound');
  const branches = series('branchesHit', 'branchesFound');
  return {
    width,
    height,
    grid: [0, 50, 100].map((v) => ({ y: y(v), label: `${v}%` })),
    lines: line(lines),
    functions: line(functions),
    branches: line(branches),
    dots: lines.map((p) => ({ ...p, label: `build ${p.id}: ${p.value ?? '–'}% of lines` })),
  };
}
