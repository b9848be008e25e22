import { readFileSync, statSync } from 'node:fs';
import type { Db } from '../core/db/database.ts';
import {
  listMachines,
  machineFailureCount,
  recordMachineFailure,
  recordMachineStep,
  syncMachines,
} from '../core/db/machines.ts';
import type { Logger } from '../core/log.ts';
import { parseMachines, type MachineSpec } from '../core/nix/machines.ts';
import type { Nix } from '../core/nix/nix.ts';
import { ConnectionPool } from './connection-pool.ts';

export interface PoolMachine {
  spec: MachineSpec;
  connections: ConnectionPool;
  running: number;
  /** No new work before this time (ms): back-off after a connection failure. */
  disabledUntil: number;
}

/** What a step needs from a machine. */
export interface StepNeeds {
  system: string;
  requiredFeatures: readonly string[];
}

/**
 * The build machines: read from the machines file (again whenever it changes, so no
 * restart is needed) or the local default, with how busy each is right now.
 */
export class MachinePool {
  private machines: PoolMachine[] = [];
  private fileStamp = '';

  constructor(
    private readonly db: Db,
    private readonly nix: Nix,
    private readonly log: Logger,
    private readonly file: string | null,
    private readonly defaults: MachineSpec[],
  ) {}

  /** The machines; a new array whenever they change (the machines file was edited). */
  all(): readonly PoolMachine[] {
    return this.machines;
  }

  /** Re-reads the machines file when it changed. A broken file keeps the last good pool. */
  reload(): void {
    let specs: MachineSpec[];
    if (this.file) {
      let stamp: string;
      try {
        const st = statSync(this.file);
        stamp = `${st.mtimeMs}:${st.size}`;
      } catch (e) {
        if (this.fileStamp !== 'missing')
          this.log.error(
            { file: this.file, err: String(e) },
            'cannot read the machines file; keeping the machines known so far',
          );
        this.fileStamp = 'missing';
        return;
      }
      if (stamp === this.fileStamp) return;
      this.fileStamp = stamp;
      try {
        specs = parseMachines(readFileSync(this.file, 'utf8'), this.file);
      } catch (e) {
        this.log.error(
          { file: this.file, err: (e as Error).message },
          'machines file is invalid; keeping the machines known so far',
        );
        return;
      }
    } else {
      if (this.machines.length) return;
      specs = this.defaults;
    }
    const old = new Map(this.machines.map((m) => [m.spec.name, m]));
    const stored = new Map(listMachines(this.db).map((r) => [r.name, r]));
    this.machines = specs.map((spec) => {
      const before = old.get(spec.name);
      old.delete(spec.name);
      const same = before && JSON.stringify(before.spec) === JSON.stringify(spec);
      if (before && !same) before.connections.closeAll();
      let connections = same ? before.connections : null;
      if (!connections) {
        connections = new ConnectionPool(() =>
          this.nix.openBuildConnection(spec.ssh, spec.ssh ? remoteOptions(spec) : {}),
        );
        // This machine's own Nix starts while the queue is taken in; a remote one is reached when it gets work.
        if (!spec.ssh) connections.prewarm();
      }
      return {
        spec,
        connections,
        running: before?.running ?? 0,
        disabledUntil: before?.disabledUntil ?? (stored.get(spec.name)?.disabled_until ?? 0) * 1000,
      };
    });
    for (const gone of old.values()) gone.connections.closeAll();
    syncMachines(this.db, specs);
    this.log.info({ machines: specs.map((s) => s.name) }, 'build machines loaded');
  }

  /** Whether a machine can ever build the step, busy or not. */
  static supports(m: MachineSpec, step: StepNeeds): boolean {
    if (!m.systems.includes(step.system) && step.system !== 'builtin') return false;
    const has = featuresOf(m);
    return (
      step.requiredFeatures.every((f) => has.has(f)) &&
      m.mandatoryFeatures.every((f) => step.requiredFeatures.includes(f))
    );
  }

  anySupports(step: StepNeeds): boolean {
    return this.machines.some((m) => MachinePool.supports(m.spec, step));
  }

  /** The least loaded machine, relative to its speed, that can take the step now. */
  pick(step: StepNeeds, at: number): PoolMachine | null {
    let best: PoolMachine | null = null;
    for (const m of this.machines) {
      if (m.running >= m.spec.maxJobs || m.disabledUntil > at || !MachinePool.supports(m.spec, step)) continue;
      if (!best || m.running / m.spec.speedFactor < best.running / best.spec.speedFactor) best = m;
    }
    return best;
  }

  /**
   * The machine could not be reached: no work for it for a doubling while, twice as long as
   * the step waits, so that the step's retry goes to another machine if there is one.
   */
  markUnreachable(m: PoolMachine, message: string, retryIntervalSeconds: number): void {
    const failures = machineFailureCount(this.db, m.spec.name) + 1;
    const delay = Math.min(retryIntervalSeconds * 2 ** failures, 3600) * 1000;
    m.disabledUntil = Date.now() + delay;
    recordMachineFailure(this.db, m.spec.name, message, Math.ceil(m.disabledUntil / 1000));
    this.log.warn(
      { machine: m.spec.name, failures, retryInSeconds: delay / 1000, err: message },
      'build machine unreachable; disabled for a while',
    );
  }

  closeAll(): void {
    for (const m of this.machines) m.connections.closeAll();
  }

  markStepDone(m: PoolMachine, seconds: number): void {
    m.disabledUntil = 0;
    recordMachineStep(this.db, m.spec.name, seconds);
  }
}

const features = new WeakMap<MachineSpec, ReadonlySet<string>>();

/** A machine's supported and mandatory features, as one set made once per machine. */
function featuresOf(m: MachineSpec): ReadonlySet<string> {
  let set = features.get(m);
  if (!set) features.set(m, (set = new Set([...m.supportedFeatures, ...m.mandatoryFeatures])));
  return set;
}

/**
 * The machines file is the authority on what a remote machine can do: its Nix is told so,
 * or it would refuse a `kvm` step because it cannot see /dev/kvm the way it expects.
 */
function remoteOptions(spec: MachineSpec): Record<string, string> {
  const features = [...new Set([...spec.supportedFeatures, ...spec.mandatoryFeatures])];
  return { 'system-features': features.join(' '), 'extra-platforms': spec.systems.join(' ') };
}
