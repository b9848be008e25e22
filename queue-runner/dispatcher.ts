import { jobsetShareUsage } from '../core/db/shares.ts';
import { now } from '../core/db/database.ts';
import { BuildStatus } from '../core/model/status.ts';
import { applyOutcome, failBuilds, type ApplyContext } from './apply-outcome.ts';
import { MachinePool, type PoolMachine, type StepNeeds } from './machine-pool.ts';
import { runStep, type RunStepContext, type StopReason } from './run-step.ts';
import { keyedOrder, mergeOrders, owningBuild, shareRanks, type KeyedStep, type ShareRanks } from './schedule.ts';
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

  constructor(
    private readonly ctx: ApplyContext & RunStepContext,
    private readonly pool: MachinePool,
    private readonly settings: DispatchSettings,
    private readonly onIdleSlot: () => void,
  ) {}

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

  /**
   * Steps in the order they are served, kept between calls: sorting every runnable step each
   * time a step ends costs O(n log n) per step (a second per step with 100,000 queued).
   * Steps that may have become runnable (graph.fresh) are merged in; entries that started or
   * left the graph are skipped, and the ones at the front dropped. Sorted again when a step
   * is back from a machine unbuilt, after commands (a bump), and when the jobsets' places in
   * the fair share changed (ShareRanks) — then at most once per 20 times as long as the last
   * sort took — and when the machines changed.
   */
  private order: {
    steps: KeyedStep[];
    head: number;
    shares: ShareRanks;
    builtAt: number;
    buildMs: number;
    /** The machines the order was made for (MachinePool.all: a new array when they change). */
    machines: readonly PoolMachine[];
    /** Whether some machine builds steps of a kind (Step.kind), as asked so far. */
    supported: Map<string, boolean>;
    /**
     * The kinds of step in the order, at most: made exact by each walk that reaches its end. A
     * dispatch walks only while a free machine can take one of them, so that a free machine of
     * another system (or with mandatory features) does not make each step's end walk the whole
     * queue in vain: 100,000 x86_64 steps and an idle aarch64 machine, say.
     */
    kinds: Map<string, StepNeeds>;
  } | null = null;

  /**
   * Steps in the order that no machine can build, waiting out --unsupported-wait before their
   * builds fail. Found as steps enter the order, so that each tick's look at them does not
   * walk the whole queue (40 ms a second with 80,000 steps waiting).
   */
  private readonly unsupportedSteps = new Set<Step>();

  /** About how many runnable steps wait in the order (started ones not yet dropped count too). */
  waiting(): number {
    return this.order ? this.order.steps.length - this.order.head : 0;
  }

  /** The next dispatch sorts the queue again (priorities changed). */
  reorder(): void {
    this.order = null;
  }

  /**
   * Starts runnable steps, most urgent first, until no machine has a free slot. `full` (each
   * tick): also fails the builds of steps no machine has supported for --unsupported-wait.
   */
  dispatch(full = true): void {
    if (this.stopping) return;
    const at = Date.now();
    const order = this.currentOrder(at);
    if (full) this.checkUnsupported(at);
    // The kinds of step a free machine can take now; a kind none can take stays closed for the
    // rest of this walk (starting steps only fills machines).
    const open = new Set<string>();
    for (const [kind, needs] of order.kinds) if (this.pool.pick(needs, at)) open.add(kind);
    const seen = new Map<string, StepNeeds>();
    const graph = this.ctx.graph;
    let i = order.head;
    for (; i < order.steps.length && open.size > 0; i++) {
      const step = order.steps[i]!.step;
      if (step.running || step.builds.size === 0 || graph.steps.get(step.drvPath) !== step) {
        if (i === order.head) order.head++;
        continue;
      }
      if (!seen.has(step.kind)) seen.set(step.kind, needsOf(step));
      if (!open.has(step.kind) || step.deps.size > 0 || step.notBefore > at || this.unsupportedSteps.has(step))
        continue;
      const machine = this.pool.pick(step, at);
      if (machine) this.start(step, machine);
      else open.delete(step.kind);
      if (step.running && i === order.head) order.head++;
    }
    if (i >= order.steps.length) order.kinds = seen;
  }

  /** The order of the runnable steps brought up to date: built again, or the fresh steps merged in. */
  private currentOrder(at: number): NonNullable<Dispatcher['order']> {
    const shares = this.shareRanks(at);
    const graph = this.ctx.graph;
    const machines = this.pool.all();
    const stale =
      this.order &&
      (this.order.machines !== machines ||
        (this.order.shares.signature !== shares.signature && at - this.order.builtAt >= 20 * this.order.buildMs));
    if (!this.order || stale) {
      const t0 = performance.now();
      graph.fresh.length = 0;
      this.unsupportedSteps.clear();
      // Steps backing off from a failed try too: they are passed over until their time comes.
      const steps = keyedOrder(graph.runnable(), shares);
      const supported = new Map<string, boolean>();
      const kinds = new Map<string, StepNeeds>();
      for (const { step } of steps) this.noteKind(step, supported, kinds, at);
      this.order = { steps, head: 0, shares, builtAt: at, buildMs: performance.now() - t0, machines, supported, kinds };
    } else if (graph.fresh.length) {
      const fresh = keyedOrder(
        graph.fresh.filter((s) => !s.running && s.deps.size === 0 && s.builds.size > 0),
        this.order.shares,
      );
      graph.fresh.length = 0;
      for (const { step } of fresh) this.noteKind(step, this.order.supported, this.order.kinds, at);
      Object.assign(this.order, mergeOrders(this.order.steps, this.order.head, fresh));
    }
    return this.order;
  }

  /**
   * A step entering the order: its kind is noted, and can some machine build it? `supported`
   * keeps the answers for the order's machines (a queue asks the same few questions 100,000 times).
   */
  private noteKind(step: Step, supported: Map<string, boolean>, kinds: Map<string, StepNeeds>, at: number): void {
    if (!kinds.has(step.kind)) kinds.set(step.kind, needsOf(step));
    let answer = supported.get(step.kind);
    if (answer === undefined) supported.set(step.kind, (answer = this.pool.anySupports(step)));
    if (answer) step.unsupportedSince = null;
    else {
      step.unsupportedSince ??= at;
      this.unsupportedSteps.add(step);
    }
  }

  /** Fails the builds of steps no machine has supported for long enough; forgets steps gone meanwhile. */
  private checkUnsupported(at: number): void {
    const graph = this.ctx.graph;
    for (const step of this.unsupportedSteps) {
      if (step.running || step.builds.size === 0 || graph.steps.get(step.drvPath) !== step)
        this.unsupportedSteps.delete(step);
      else if (step.deps.size === 0 && step.notBefore <= at) this.unsupported(step, at);
    }
  }

  private ranks: { at: number; value: ShareRanks } | null = null;

  /** Called each tick: jobsets' shares may have been edited meanwhile. */
  forgetShareUsage(): void {
    this.ranks = null;
  }

  /** Fair-share figures change slowly; recomputing them for every step would scan the step history each time. */
  private shareRanks(at: number): ShareRanks {
    if (!this.ranks || at - this.ranks.at > SHARE_USAGE_TTL_MS)
      this.ranks = { at, value: shareRanks(jobsetShareUsage(this.ctx.db, now() - 86400, now())) };
    return this.ranks.value;
  }

  /** The earliest time (ms) a waiting step might become runnable without another step ending. */
  nextWake(): number | null {
    const times = [...this.ctx.graph.steps.values()]
      .filter((s) => !s.running && s.deps.size === 0 && s.builds.size > 0)
      .map((s) =>
        Math.max(
          s.notBefore,
          s.unsupportedSince !== null ? s.unsupportedSince + this.settings.unsupportedWaitSeconds * 1000 : 0,
          this.machineFreeAt(s),
        ),
      );
    return times.length ? Math.min(...times) : null;
  }

  private machineFreeAt(step: Step): number {
    const able = this.pool.all().filter((m) => MachinePool.supports(m.spec, step));
    return able.length ? Math.min(...able.map((m) => m.disabledUntil)) : 0;
  }

  private unsupported(step: Step, at: number): void {
    step.unsupportedSince ??= at;
    if (at - step.unsupportedSince < this.settings.unsupportedWaitSeconds * 1000) return;
    this.unsupportedSteps.delete(step);
    const features = step.requiredFeatures.length ? ` with features ${step.requiredFeatures.join(', ')}` : '';
    const message = `no build machine supports system ${step.system}${features}`;
    failBuilds(this.ctx, step, BuildStatus.Unsupported, message, null);
  }

  private start(step: Step, machine: PoolMachine): void {
    const owner = owningBuild(step);
    const tops = [...step.builds].filter((b) => b.top === step).map((b) => b.row);
    const limit = (values: (number | null)[], fallback: number) => {
      const set = values.filter((v): v is number => v !== null && v > 0);
      return set.length ? Math.max(...set) : fallback;
    };
    const limits = {
      timeout: limit(
        tops.map((r) => r.timeout),
        this.settings.defaultTimeout,
      ),
      maxSilent: limit(
        tops.map((r) => r.maxsilent),
        this.settings.defaultMaxSilent,
      ),
    };
    step.running = true;
    machine.running++;
    let slotFree = false;
    const freeSlot = () => {
      if (slotFree) return;
      slotFree = true;
      machine.running--;
      // Back unbuilt (a retry, a stop): it is not in the order any more.
      if (!step.running && this.ctx.graph.steps.get(step.drvPath) === step) this.order = null;
      this.onIdleSlot();
    };
    // The outputs are valid: dependents may run, and the next step (of a chain, say) starts
    // on the machine while this one's outputs are read and its results recorded.
    const onBuilt = () => {
      this.ctx.graph.completeStep(step);
      freeSlot();
    };
    const entry = { done: Promise.resolve(), abort: new AbortController() };
    entry.done = runStep(this.ctx, step, machine, owner.row.id, limits, entry.abort.signal, onBuilt)
      .then(async (run) => {
        if (run.outcome.kind !== 'transient' && run.outcome.kind !== 'stopped')
          this.pool.markStepDone(machine, run.seconds);
        // The graph learns any other outcome before applyOutcome's first await.
        const applied = applyOutcome(this.ctx, step, machine, run);
        freeSlot();
        await applied;
      })
      .catch((e) => {
        step.running = false;
        step.notBefore = Date.now() + 5000;
        this.ctx.log.error({ err: e, drv: step.drvPath }, 'build step failed unexpectedly; it will be tried again');
      })
      .finally(() => {
        if (this.running.get(step) === entry) this.running.delete(step);
        if (slotFree) this.onIdleSlot();
        else freeSlot();
      });
    this.running.set(step, entry);
  }
}

/** What a step asks of a machine, without the step (an order's list of kinds keeps no step alive). */
function needsOf(step: Step): StepNeeds {
  return { system: step.system, requiredFeatures: step.requiredFeatures };
}
