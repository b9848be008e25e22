// Records step and build results straight into the database, for tests of the server and
// evaluator that need finished builds without running the queue runner.
import type { Db } from '../../core/db/database.ts';
import { finishBuild, type BuildResult } from '../../core/db/build-results.ts';
import { finishStep, type StepEnd } from '../../core/db/steps.ts';

export { startStep } from '../../core/db/steps.ts';
export type { ProductRecord } from '../../core/db/build-results.ts';

export function finishStepAndBuild(db: Db, buildId: number, step: { stepnr: number; result: StepEnd } | null, build: BuildResult | null): void {
  if (step) finishStep(db, buildId, step.stepnr, step.result);
  if (build) finishBuild(db, buildId, build);
}
