import { jobsetShareUsage } from '../core/db/shares.ts';
import { now } from '../core/db/database.ts';
import { BuildStatus } from '../core/model/status.ts';
import { applyOutcome, failBuilds, type ApplyContext } from './apply-outcome.ts';
import { MachinePool, type PoolMachine } from './machine-pool.ts';
import { runStep, type RunStepContext, type StopReason } from './run-step.ts';
import { orderSteps, owningBuild } from './schedule.ts';
import type { Step } from './step-graph.ts';

const SHARE_USAGE_TTL_MS = 2000;

export interface DispatchSettings {
  defaultTimeout: number;
  defaultMaxSilent: number;
  unsupportedWaitSeconds: number;
}

/** Starts runnable steps on free machines, most urgent first, and applies their outcomes. */
export class Dispatcher {
  private readonly running = new Map<Step, { done: Promise<void>; abort: AbortController }>();
  private stopping = false;

  constructor(private readonly ctx: ApplyContext & RunStepContext, private readonly pool: MachinePool, private readonly settings: DispatchSettings, private readonly onIdleSlot: () => void) {}

  stopSteps(steps: Step[], reason: StopReason): void {
    for (const s of steps) this.running.get(s)?.abort.abort(reason);
  }

  /** Steps running now. */
  get busy(): number {
    return this.running.size;
  }

  /** Starts nothing more, interrupts every running step (their builds stay queued) and waits for them. */
  async stopAll(): Promise<void> {
    this.stopping = true;
    this.stopSteps([...this.running.keys()], 'shutdown');
    await Promise.allSettled([...this.running.values()].map((r) => r.done));
  }

  dispatch(): void {
    if (this.stopping) return;
    const at = Date.now();
    const runnable = this.ctx.graph.runnable(at);
    if (runnable.length === 0) return;
    const usage = this.shareUsage(at);
    for (const step of orderSteps(runnable, usage)) {
      if (!this.pool.anySupports(step)) {
        this.unsupported(step, at);
        continue;
      }
      step.unsupportedSince = null;
      const machine = this.pool.pick(step, at);
      if (machine) this.start(step, machine);
    }
  }

  private usage: { at: number; value: ReturnType<typeof jobsetShareUsage> } | null = null;

  /** Called each tick: jobsets' shares may have been edited meanwhile. */
  forgetShareUsage(): void {
    this.usage = null;
  }

  /** Fair-share figures change slowly; recomputing them for every step would scan the step history each time. */
  private shareUsage(at: number): ReturnType<typeof jobsetShareUsage> {
    if (!this.usage || at - this.usage.at > SHARE_USAGE_TTL_MS) this.usage = { at, value: jobsetShareUsage(this.ctx.db, now() - 86400, now()) };
    return this.usage.value;
  }

  /** The earliest time (ms) a waiting step might become runnable without another step ending. */
  nextWake(): number | null {
    const times = [...this.ctx.graph.steps.values()].filter((s) => !s.running && s.deps.size === 0 && s.builds.size > 0)
      .map((s) => Math.max(s.notBefore, s.unsupportedSince !== null ? s.unsupportedSince + this.settings.unsupportedWaitSeconds * 1000 : 0, this.machineFreeAt(s)));
    return times.length ? Math.min(...times) : null;
  }

  private machineFreeAt(step: Step): number {
    const able = this.pool.all().filter((m) => MachinePool.supports(m.spec, step));
    return able.length ? Math.min(...able.map((m) => m.disabledUntil)) : 0;
  }

  private unsupported(step: Step, at: number): void {
    step.unsupportedSince ??= at;
    if (at - step.unsupportedSince < this.settings.unsupportedWaitSeconds * 1000) return;
    const message = `no build machine supports system ${step.system}${step.requiredFeatures.length ? ` with features ${step.requiredFeatures.join(', ')}` : ''}`;
    failBuilds(this.ctx, step, BuildStatus.Unsupported, message, null);
  }

  private start(step: Step, machine: PoolMachine): void {
    const owner = owningBuild(step);
    const tops = [...step.builds].filter((b) => b.top === step).map((b) => b.row);
    const limit = (values: (number | null)[], fallback: number) => {
      const set = values.filter((v): v is number => v !== null && v > 0);
      return set.length ? Math.max(...set) : fallback;
    };
    const limits = { timeout: limit(tops.map((r) => r.timeout), this.settings.defaultTimeout), maxSilent: limit(tops.map((r) => r.maxsilent), this.settings.defaultMaxSilent) };
    step.running = true;
    machine.running++;
    const abort = new AbortController();
    const done = runStep(this.ctx, step, machine, owner.row.id, limits, abort.signal)
      .then(async (run) => {
        if (run.outcome.kind !== 'transient' && run.outcome.kind !== 'stopped') this.pool.markStepDone(machine, run.seconds);
        await applyOutcome(this.ctx, step, machine, run);
      })
      .catch((e) => {
        step.running = false;
        step.notBefore = Date.now() + 5000;
        this.ctx.log.error({ err: e, drv: step.drvPath }, 'build step failed unexpectedly; it will be tried again');
      })
      .finally(() => {
        machine.running--;
        this.running.delete(step);
        this.onIdleSlot();
      });
    this.running.set(step, { done, abort });
  }
}
