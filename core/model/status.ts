/** Hydra's build status codes (builds.buildstatus, build_steps.status). Users script against these numbers. */
export const BuildStatus = {
  Success: 0,
  Failed: 1,
  DependencyFailed: 2,
  Aborted: 3,
  Cancelled: 4,
  FailedWithOutput: 6,
  TimedOut: 7,
  CachedFailure: 8,
  Unsupported: 9,
  LogLimitExceeded: 10,
  OutputLimitExceeded: 11,
  NotDeterministic: 12,
} as const;

const LABELS: Record<number, string> = {
  0: 'Succeeded',
  1: 'Failed',
  2: 'Dependency failed',
  3: 'Aborted',
  4: 'Cancelled',
  6: 'Failed with output',
  7: 'Timed out',
  8: 'Cached failure',
  9: 'Unsupported system type',
  10: 'Log limit exceeded',
  11: 'Output limit exceeded',
  12: 'Non-deterministic build',
};

/** A word a page can show for a build's state, including the two states that have no code. */
export function statusLabel(finished: boolean, buildstatus: number | null, running = false): string {
  if (!finished) return running ? 'Running' : 'Queued';
  return LABELS[buildstatus ?? -1] ?? `Unknown status ${buildstatus}`;
}

/** CSS-friendly class for a status: success, failure, pending. */
export function statusClass(finished: boolean, buildstatus: number | null): 'success' | 'failure' | 'pending' | 'cancelled' {
  if (!finished) return 'pending';
  if (buildstatus === BuildStatus.Success) return 'success';
  if (buildstatus === BuildStatus.Cancelled || buildstatus === BuildStatus.Aborted) return 'cancelled';
  return 'failure';
}
