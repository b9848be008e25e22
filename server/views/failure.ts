import type { BuildStepRow, BuildWithJobset } from '../../core/model/rows.ts';
import { BuildStatus } from '../../core/model/status.ts';

/**
 * Why a finished build failed: its failing step (the last one with a failure status), and
 * for "dependency failed" the derivation and build that actually broke.
 */
export function failingStep(build: BuildWithJobset, steps: BuildStepRow[]): BuildStepRow | undefined {
  if (build.finished !== 1 || build.buildstatus === BuildStatus.Success) return undefined;
  return [...steps].reverse().find((s) => s.busy === 0 && s.status !== null && s.status !== BuildStatus.Success);
}
