import type { Totals } from '../../core/coverage/tracefile.ts';

/** Parses `lcov --summary`: "  lines......: 59.8% (1196 of 2000 lines)"; a kind with "no data found" is 0 of 0. */
export function lcovSummaryTotals(summary: string): Totals {
  const pick = (what: string) => {
    const m = new RegExp(`${what}\\.*: [0-9.]+% \\((\\d+) of (\\d+)`).exec(summary);
    return m ? [Number(m[1]), Number(m[2])] : [0, 0];
  };
  const [linesHit, linesFound] = pick('lines');
  const [functionsHit, functionsFound] = pick('functions');
  const [branchesHit, branchesFound] = pick('branches');
  return {
    linesFound: linesFound!,
    linesHit: linesHit!,
    functionsFound: functionsFound!,
    functionsHit: functionsHit!,
    branchesFound: branchesFound!,
    branchesHit: branchesHit!,
  };
}
