import { join } from 'node:path';
import type { Db } from '../core/db/database.ts';
import { finishStep, setStepPhase, startStep, StepPhase } from '../core/db/steps.ts';
import type { Logger } from '../core/log.ts';
import { BuildStatus } from '../core/model/status.ts';
import { RemoteConnectionError, type Nix } from '../core/nix/nix.ts';
import type { PoolMachine } from './machine-pool.ts';
import type { Step } from './step-graph.ts';
import { StepLog } from './step-log.ts';

export interface RunStepContext {
  db: Db;
  nix: Nix;
  log: Logger;
  stateDir: string;
  maxLogSize: number;
}

export type StepOutcome =
  | { kind: 'success' }
  /** The derivation failed on its own account: its builds fail (status 1, 7 or 10). */
  | { kind: 'failed'; status: number; message: string }
  /** The machine or the connection failed, not the derivation: worth another try. */
  | { kind: 'transient'; message: string; unreachable: boolean }
  /** Stopped by us: hydrant shutting down, or every build that needed it cancelled. */
  | { kind: 'stopped'; reason: StopReason };

export type StopReason = 'shutdown' | 'cancelled';

export interface StepRun {
  stepnr: number;
  buildId: number;
  logfile: string;
  outcome: StepOutcome;
  seconds: number;
}

/**
 * Runs one step on one machine and records it as a step of `buildId`: copies the inputs'
 * closure there (remote machines), builds with Nix's timeout and silence limits, copies the
 * outputs back, and keeps the log. Every path out of here ends the step row (busy = 0).
 */
export async function runStep(ctx: RunStepContext, step: Step, machine: PoolMachine, buildId: number, limits: { timeout: number; maxSilent: number }, signal: AbortSignal): Promise<StepRun> {
  const logFor = (stepnr: number) => join('logs', String(buildId), `${stepnr}.log`);
  const stepnr = startStep(ctx.db, { buildId, drvPath: step.drvPath, machine: machine.spec.name, system: step.system, logfileFor: logFor });
  const started = Date.now();
  const kill = new AbortController();
  const onStop = () => kill.abort(signal.reason);
  signal.addEventListener('abort', onStop, { once: true });
  if (signal.aborted) onStop();
  const log = new StepLog(ctx.stateDir, logFor(stepnr), ctx.maxLogSize, () => kill.abort('log-limit'));
  const target = machine.spec.ssh;
  let outcome: StepOutcome;
  try {
    if (target) {
      setStepPhase(ctx.db, buildId, stepnr, StepPhase.SendingInputs);
      const inputs = await ctx.nix.readDerivation(step.drvPath);
      const inputOutputs = await Promise.all(Object.entries(inputs.inputDrvs).map(async ([drv, names]) => {
        const d = await ctx.nix.readDerivation(drv);
        return names.map((n) => d.outputs[n]!.path);
      }));
      const sent = await ctx.nix.copyClosureTo(target, [step.drvPath, ...inputOutputs.flat()]);
      log.write(`hydrant: copied ${sent} store paths to ${machine.spec.name}\n`);
    }
    setStepPhase(ctx.db, buildId, stepnr, StepPhase.Building);
    const result = await ctx.nix.realise(step.drvPath, {
      on: target, options: target ? remoteOptions(machine) : {}, timeoutSeconds: limits.timeout, maxSilentSeconds: limits.maxSilent, signal: kill.signal, onOutput: (chunk) => log.write(chunk),
    });
    if (result.aborted) {
      outcome = log.exceeded ? { kind: 'failed', status: BuildStatus.LogLimitExceeded, message: `log limit of ${ctx.maxLogSize} bytes exceeded` }
        : { kind: 'stopped', reason: kill.signal.reason === 'cancelled' ? 'cancelled' : 'shutdown' };
    } else if (result.connectionLost) {
      outcome = { kind: 'transient', message: `lost the connection to ${machine.spec.name} while building`, unreachable: true };
    } else if (result.exitCode === 0) {
      if (target) {
        setStepPhase(ctx.db, buildId, stepnr, StepPhase.ReceivingOutputs);
        const received = await ctx.nix.copyClosureFrom(target, Object.values(step.outputs));
        log.write(`hydrant: copied ${received} store paths back from ${machine.spec.name}\n`);
      }
      outcome = { kind: 'success' };
    } else if (result.timedOut) {
      outcome = { kind: 'failed', status: BuildStatus.TimedOut, message: 'build timed out (meta.timeout or meta.maxSilent); the build process tree was killed' };
    } else if (result.exitCode >= 100 && result.exitCode <= 111) {
      outcome = { kind: 'failed', status: BuildStatus.Failed, message: `builder failed (nix-store exit status ${result.exitCode})` };
    } else {
      // Nix itself died (killed, out of memory, store locked): not the derivation's fault.
      outcome = { kind: 'transient', message: `nix-store exited with status ${result.exitCode} without a build result`, unreachable: false };
    }
  } catch (e) {
    outcome = e instanceof RemoteConnectionError ? { kind: 'transient', message: e.message, unreachable: true }
      : { kind: 'transient', message: `step could not run: ${(e as Error).message}`, unreachable: false };
  } finally {
    signal.removeEventListener('abort', onStop);
  }
  if (outcome.kind !== 'success') log.write(`\nhydrant: ${outcome.kind === 'stopped' ? `stopped (${outcome.reason})` : outcome.message}\n`);
  const logfile = await log.finish();
  finishStep(ctx.db, buildId, stepnr, {
    status: stepStatus(outcome),
    errormsg: outcome.kind === 'success' ? null : outcome.kind === 'stopped' ? (outcome.reason === 'cancelled' ? 'cancelled' : 'interrupted: hydrant was stopped; the build was re-queued') : outcome.message,
    outputs: step.outputs,
    logfile,
  });
  log.removePlain();
  return { stepnr, buildId, logfile, outcome, seconds: (Date.now() - started) / 1000 };
}

/**
 * The machines file is the authority on what a remote machine can do: its Nix is told so,
 * or it would refuse a `kvm` step because it cannot see /dev/kvm the way it expects.
 */
function remoteOptions(machine: PoolMachine): Record<string, string> {
  const features = [...new Set([...machine.spec.supportedFeatures, ...machine.spec.mandatoryFeatures])];
  return { 'system-features': features.join(' '), 'extra-platforms': machine.spec.systems.join(' ') };
}

function stepStatus(o: StepOutcome): number {
  if (o.kind === 'success') return BuildStatus.Success;
  if (o.kind === 'failed') return o.status;
  if (o.kind === 'stopped' && o.reason === 'cancelled') return BuildStatus.Cancelled;
  return BuildStatus.Aborted;
}
