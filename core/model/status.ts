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

/** Hydra's "aborted" builds, the ones "restart all aborted builds" restarts. */
export const ABORTED_STATUSES: readonly number[] = [
  BuildStatus.Aborted,
  BuildStatus.Cancelled,
  BuildStatus.Unsupported,
];

/** Finished with outputs in the store: the builds a jobset's keepnr keeps alive. */
export const STATUSES_WITH_OUTPUTS: readonly number[] = [BuildStatus.Success, BuildStatus.FailedWithOutput];

/** Codes for an SQL `IN (...)` list, so queries name statuses instead of carrying bare numbers. */
export function sqlList(codes: readonly number[]): string {
  return codes.map((c) => String(Math.trunc(c))).join(', ');
}

const LABELS: Record<number, string> = {
  [BuildStatus.Success]: 'Succeeded',
  [BuildStatus.Failed]: 'Failed',
  [BuildStatus.DependencyFailed]: 'Dependency failed',
  [BuildStatus.Aborted]: 'Aborted',
  [BuildStatus.Cancelled]: 'Cancelled',
  [BuildStatus.FailedWithOutput]: 'Failed with output',
  [BuildStatus.TimedOut]: 'Timed out',
  [BuildStatus.CachedFailure]: 'Cached failure',
  [BuildStatus.Unsupported]: 'Unsupported system type',
  [BuildStatus.LogLimitExceeded]: 'Log limit exceeded',
  [BuildStatus.OutputLimitExceeded]: 'Output limit exceeded',
  [BuildStatus.NotDeterministic]: 'Non-deterministic build',
};

/** A word a page can show for a build's state, including the two states that have no code. */
export function statusLabel(finished: boolean, buildstatus: number | null, running = false): string {
  if (!finished) return running ? 'Running' : 'Queued';
  return LABELS[buildstatus ?? -1] ?? `Unknown status ${buildstatus}`;
}

/** CSS-friendly class for a build's state: success, failure, cancelled; running or pending while unfinished. */
export function statusClass(
  finished: boolean,
  buildstatus: number | null,
  running = false,
): 'success' | 'failure' | 'pending' | 'running' | 'cancelled' {
  if (!finished) return running ? 'running' : 'pending';
  if (buildstatus === BuildStatus.Success) return 'success';
  if (buildstatus === BuildStatus.Cancelled || buildstatus === BuildStatus.Aborted) return 'cancelled';
  return 'failure';
}
