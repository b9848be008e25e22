import type { JobState } from '../../core/db/eval-pages.ts';
import { BuildStatus } from '../../core/model/status.ts';

/**
 * What changed between an evaluation and the one it is compared with, by job name:
 * newly failing, newly succeeding, new jobs, removed jobs. Unfinished builds count as
 * neither failing nor succeeding.
 */
export interface EvalDiff {
  newlyFailing: JobState[];
  newlySucceeding: JobState[];
  added: JobState[];
  removed: JobState[];
}

function outcome(s: JobState): 'pending' | 'ok' | 'bad' {
  if (s.finished !== 1) return 'pending';
  return s.buildstatus === BuildStatus.Success ? 'ok' : 'bad';
}

/** By job name in code-point order, as SQL's ORDER BY job sorts them. */
function byJob(a: JobState, b: JobState): number {
  if (a.job === b.job) return 0;
  return a.job < b.job ? -1 : 1;
}

export function diffEvals(current: JobState[], previous: JobState[]): EvalDiff {
  const before = new Map(previous.map((s) => [s.job, s]));
  const now = new Set(current.map((s) => s.job));
  const diff: EvalDiff = { newlyFailing: [], newlySucceeding: [], added: [], removed: [] };
  for (const s of current) {
    const p = before.get(s.job);
    if (!p) diff.added.push(s);
    else if (outcome(s) === 'bad' && outcome(p) === 'ok') diff.newlyFailing.push(s);
    else if (outcome(s) === 'ok' && outcome(p) === 'bad') diff.newlySucceeding.push(s);
  }
  for (const p of previous) if (!now.has(p.job)) diff.removed.push(p);
  for (const list of Object.values(diff)) list.sort(byJob);
  return diff;
}
