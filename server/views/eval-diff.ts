import type { JobState } from '../../core/db/eval-pages.ts';

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

const outcome = (s: JobState) => (s.finished !== 1 ? 'pending' : s.buildstatus === 0 ? 'ok' : 'bad');

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
  const byJob = (a: JobState, b: JobState) => (a.job < b.job ? -1 : a.job > b.job ? 1 : 0);
  for (const list of Object.values(diff)) list.sort(byJob);
  return diff;
}
