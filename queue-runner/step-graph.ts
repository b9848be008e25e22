import type { QueuedBuildRow } from '../core/model/rows.ts';
import type { Derivation } from '../core/nix/nix.ts';

/**
 * One derivation that is not valid yet. Shared by every queued build whose closure holds
 * it, so it is built once however many builds need it.
 */
export interface Step {
  drvPath: string;
  // Not the parsed derivation itself: with 100,000 steps queued it is the biggest part of
  // the graph; run-step reads it again (Nix.readDerivation keeps the recent ones).
  system: string;
  outputs: Record<string, string>;
  requiredFeatures: string[];
  /**
   * What the step asks of a machine (system and features) as one string: steps of one kind go
   * to the same machines, so the dispatcher asks the pool once per kind, not once per step.
   */
  kind: string;
  /**
   * Input derivations still to be built; the step may run when this is empty. Changed only
   * through linkSteps and the graph: most steps of a big queue have no inputs to build and
   * no dependents, and share one empty set instead of two empty sets each (35 MB in 100,000).
   */
  deps: ReadonlySet<Step>;
  rdeps: ReadonlySet<Step>;
  /** Builds whose closure holds this step. */
  builds: Set<QueuedBuild>;
  running: boolean;
  tries: number;
  /** Retry back-off: not before this time (ms). */
  notBefore: number;
  /** When the step was first found with no machine able to build it (ms), for status 9. */
  unsupportedSince: number | null;
}

export interface QueuedBuild {
  row: QueuedBuildRow;
  /** The step of the build's own derivation; null when its outputs were already valid. */
  top: Step | null;
  /** Unfinished steps in the build's closure. */
  steps: Set<Step>;
}

const NO_STEPS: ReadonlySet<Step> = new Set();

/** `step` waits for `dep` to be built. */
export function linkSteps(step: Step, dep: Step): void {
  mutable(step, 'deps').add(dep);
  mutable(dep, 'rdeps').add(step);
}

/** The step's own set, made on first use (never the shared empty one). */
function mutable(step: Step, which: 'deps' | 'rdeps'): Set<Step> {
  if (step[which] === NO_STEPS) step[which] = new Set();
  return step[which] as Set<Step>;
}

/** Removes `other` from the step's set; false when it was not there. */
function unlink(step: Step, which: 'deps' | 'rdeps', other: Step): boolean {
  return step[which] !== NO_STEPS && (step[which] as Set<Step>).delete(other);
}

export function newStep(drvPath: string, drv: Derivation): Step {
  const requiredFeatures = (drv.env['requiredSystemFeatures'] ?? '').split(/\s+/).filter(Boolean);
  return {
    drvPath,
    system: drv.system,
    outputs: Object.fromEntries(Object.entries(drv.outputs).map(([name, o]) => [name, o.path])),
    requiredFeatures,
    kind: [drv.system, ...requiredFeatures].join(' '),
    deps: NO_STEPS,
    rdeps: NO_STEPS,
    builds: new Set(),
    running: false,
    tries: 0,
    notBefore: 0,
    unsupportedSince: null,
  };
}

/** The steps and builds the queue runner is working on, in memory; the database has the record. */
export class StepGraph {
  readonly steps = new Map<string, Step>();
  readonly builds = new Map<number, QueuedBuild>();
  /** Steps that may have become runnable since the dispatcher last looked (a build came in, a last input got built). */
  readonly fresh: Step[] = [];

  /** Steps that may run at `at`; without it, also those waiting out a retry's back-off. */
  runnable(at = Infinity): Step[] {
    return [...this.steps.values()].filter(
      (s) => !s.running && s.deps.size === 0 && s.builds.size > 0 && s.notBefore <= at,
    );
  }

  /** Adds a build over steps already in the graph; `top` and its deps must be linked. */
  addBuild(row: QueuedBuildRow, top: Step | null): QueuedBuild {
    const build: QueuedBuild = { row, top, steps: new Set() };
    const stack = top ? [top] : [];
    while (stack.length) {
      const step = stack.pop()!;
      if (build.steps.has(step)) continue;
      build.steps.add(step);
      step.builds.add(build);
      if (step.deps.size === 0) this.fresh.push(step);
      stack.push(...step.deps);
    }
    this.builds.set(row.id, build);
    return build;
  }

  /** Forgets a finished or cancelled build; returns running steps no build needs any more. */
  removeBuild(id: number): Step[] {
    const build = this.builds.get(id);
    if (!build) return [];
    this.builds.delete(id);
    const orphans: Step[] = [];
    for (const step of build.steps) {
      step.builds.delete(build);
      if (step.builds.size > 0) continue;
      if (step.running) orphans.push(step);
      else this.removeStep(step);
    }
    return orphans;
  }

  /** A step that succeeded: its dependents may run. */
  completeStep(step: Step): void {
    for (const r of step.rdeps) if (unlink(r, 'deps', step) && r.deps.size === 0) this.fresh.push(r);
    for (const b of step.builds) b.steps.delete(step);
    this.removeStep(step);
  }

  removeStep(step: Step): void {
    this.steps.delete(step.drvPath);
    for (const d of step.deps) unlink(d, 'rdeps', step);
    for (const r of step.rdeps) if (unlink(r, 'deps', step) && r.deps.size === 0) this.fresh.push(r);
  }
}
