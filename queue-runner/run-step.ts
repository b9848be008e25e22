import { join } from 'node:path';
import type { Db } from '../core/db/database.ts';
import { finishStep, setStepLogfile, setStepPhase, startStep, StepPhase } from '../core/db/steps.ts';
import type { Logger } from '../core/log.ts';
import { BuildStatus } from '../core/model/status.ts';
import {
  RemoteConnectionError,
  type BuildConnection,
  type BuildOutcome,
  type Derivation,
  type Nix,
} from '../core/nix/nix.ts';
import type { PoolMachine } from './machine-pool.ts';
import type { Step } from './step-graph.ts';
import { keepNixLog, keepSmallNixLog } from '../core/nix/log-dir.ts';
import { readOutputFacts, type OutputFacts } from './output-facts.ts';
import type { NixLogKeeper } from './nix-log-keeper.ts';
import { readStepEvidence } from './read-evidence.ts';
import type { CoverageRecord } from '../core/coverage/build-coverage.ts';
import { StepLog } from './step-log.ts';

export interface RunStepContext {
  db: Db;
  nix: Nix;
  log: Logger;
  stateDir: string;
  maxLogSize: number;
  /** Bytes a step's outputs may take together (0: no limit); past it, status 11. */
  maxOutputSize: number;
  /** Writes step logs where Nix keeps build logs a batch at a time; without it, one process per step. */
  nixLogs?: NixLogKeeper;
  /** Work that follows a step but need not delay the next one (log compression); stop() waits for it. */
  background: Set<Promise<unknown>>;
}

export type StepOutcome =
  | { kind: 'success'; facts: OutputFacts }
  /** The derivation failed on its own account: its builds fail (status 1, 7, 10 or 11). */
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
  /** The outputs' merged coverage, read once for the log and recorded with the builds (issue 13). */
  coverage?: CoverageRecord | null;
}

/** How a build ended as far as Nix is concerned; 'built' becomes 'success' once its outputs are read. */
type Settled = Exclude<StepOutcome, { kind: 'success' }> | { kind: 'built' };

/**
 * Runs one step on one machine and records it as a step of `buildId`: copies the inputs'
 * closure there (remote machines), builds with Nix's timeout and silence limits, copies the
 * outputs back, and keeps the log. Every path out of here ends the step row (busy = 0).
 *
 * `onBuilt` is called as soon as the outputs are valid here, within the size limit, and the
 * log is whole: the step has succeeded, whatever its outputs then say of themselves (status 6
 * still builds dependents). The step's dependents can start from there (the next step of a
 * chain waits for nothing else) while this one's outputs are read and its end recorded. An
 * outcome of 'success' always comes after `onBuilt`; any other never does.
 */
export async function runStep(
  ctx: RunStepContext,
  step: Step,
  machine: PoolMachine,
  buildId: number,
  limits: { timeout: number; maxSilent: number },
  signal: AbortSignal,
  onBuilt: () => void,
): Promise<StepRun> {
  const target = machine.spec.ssh;
  const started = Date.now();
  const kill = new AbortController();
  const onStop = () => kill.abort(signal.reason);
  signal.addEventListener('abort', onStop, { once: true });
  if (signal.aborted) onStop();
  // The step's row and its log. When a connection is ready they are written once the build
  // has gone to Nix: they take a few tenths of a millisecond that every step of a chain would
  // wait for. Otherwise at once, so the step shows as started while Nix (or ssh) starts.
  let opened: { stepnr: number; log: StepLog } | null = null;
  const open = () => (opened ??= openStep(ctx, step, machine, buildId, kill));
  let settled: Settled;
  try {
    const drv = await ctx.nix.readDerivation(step.drvPath);
    const inputPaths = await inputOutputPaths(ctx.nix, drv);
    if (target) {
      setStepPhase(ctx.db, buildId, open().stepnr, StepPhase.SendingInputs);
      const sent = await ctx.nix.copyClosureTo(target, [step.drvPath, ...inputPaths]);
      open().log.write(`hydrant: copied ${sent} store paths to ${machine.spec.name}\n`);
    }
    if (!machine.connections.ready) open();
    const conn = await machine.connections.acquire();
    let result: BuildOutcome;
    let tooBig: Settled | null;
    try {
      if (target) setStepPhase(ctx.db, buildId, open().stepnr, StepPhase.Building);
      const building = conn.build(step.drvPath, drv, inputPaths, {
        timeoutSeconds: limits.timeout,
        maxSilentSeconds: limits.maxSilent,
        maxLogSize: ctx.maxLogSize,
        signal: kill.signal,
        onOutput: (chunk) => open().log.write(chunk),
      });
      open(); // the build was sent (an idle connection sends at once); its output comes on a later turn
      result = await building;
      tooBig = result.kind === 'built' ? await outputsOverLimit(ctx, conn, step) : null;
    } finally {
      // A connection that broke is not alive and the pool drops it; any other is reused.
      machine.connections.release(conn);
    }
    const { stepnr, log } = open();
    settled =
      tooBig ??
      (await interpret(ctx, step, machine, result, kill.signal, log, setStepPhase.bind(null, ctx.db, buildId, stepnr)));
  } catch (e) {
    settled = {
      kind: 'transient',
      message:
        e instanceof RemoteConnectionError || target
          ? `cannot use ${machine.spec.name}: ${(e as Error).message}`
          : `step could not run: ${(e as Error).message}`,
      unreachable: !!target,
    };
  } finally {
    signal.removeEventListener('abort', onStop);
  }
  const { stepnr, log } = open();
  // A full or failing disk is no fault of the derivation: the step is tried again later.
  if (log.failure)
    settled = {
      kind: 'transient',
      message: `cannot write the build log to ${ctx.stateDir} (${log.failure.message}); the step will be tried again`,
      unreachable: false,
    };
  let outcome: StepOutcome;
  if (settled.kind === 'built') {
    onBuilt();
    // The rest waits for the next turn of the event loop: the next step of a chain, started
    // by onBuilt, goes to Nix first, not after this step's outputs are read and recorded.
    await new Promise((resolve) => setImmediate(resolve));
    outcome = { kind: 'success', facts: await readOutputFacts(step.outputs) };
  } else outcome = settled;
  const evidence = outcome.kind === 'success' ? await readStepEvidence(step.outputs, outcome.facts.products) : null;
  if (outcome.kind === 'success') {
    for (const problem of [...outcome.facts.problems, ...evidence!.problems]) {
      log.write(`hydrant: ${problem}\n`);
      ctx.log.warn({ build: buildId, drv: step.drvPath }, problem);
    }
  } else {
    log.write(`\nhydrant: ${outcome.kind === 'stopped' ? `stopped (${outcome.reason})` : outcome.message}\n`);
  }
  log.close();
  if (log.failure && outcome.kind === 'success')
    ctx.log.warn({ err: log.failure, build: buildId, step: stepnr }, 'could not write the end of a step log');
  finishStep(ctx.db, buildId, stepnr, {
    status: stepStatus(outcome),
    errormsg: stepErrorMessage(outcome),
    outputs: step.outputs,
  });
  // Compressing costs a few milliseconds a step: off the path to the next step (a chain of
  // small derivations would pay it every time). Readers find the plain file until then.
  // The derivation's own result is kept where Nix keeps build logs too, as Hydra does.
  // Started on the next turn of the event loop, after the next step of a chain went to Nix.
  const keepForNix = outcome.kind === 'success' || outcome.kind === 'failed';
  const compress = !log.fitsOneBlock;
  const finishing = new Promise((resolve) => setImmediate(resolve))
    .then(async () => {
      if (compress) setStepLogfile(ctx.db, buildId, stepnr, await log.compress());
      if (keepForNix)
        await keepForNixLogs(ctx, log, step.drvPath).catch((e) =>
          ctx.log.warn(
            { err: e, build: buildId, step: stepnr },
            'could not keep the step log where Nix keeps build logs',
          ),
        );
      if (compress) log.removePlain();
    })
    .catch((e) =>
      ctx.log.warn({ err: e, build: buildId, step: stepnr }, 'could not compress a step log; the plain log stays'),
    )
    .finally(() => ctx.background.delete(finishing));
  ctx.background.add(finishing);
  const logfile = log.relative;
  return { stepnr, buildId, logfile, outcome, seconds: (Date.now() - started) / 1000, coverage: evidence?.coverage };
}

/** A small log from memory, uncompressed, with no process; a big one through bzip2, a batch at a time. */
async function keepForNixLogs(ctx: RunStepContext, log: StepLog, drvPath: string): Promise<void> {
  const text = log.text;
  if (text) return void (await keepSmallNixLog(text, drvPath));
  const plain = join(ctx.stateDir, log.relative);
  await (ctx.nixLogs ? ctx.nixLogs.keep(plain, drvPath) : keepNixLog(plain, drvPath));
}

/**
 * Where a step's log goes, under the state dir: logs/SHARD/BUILD-STEP.log, SHARD the build id
 * divided by 1,000. A directory per build cost a mkdir on the runner's thread for every build
 * (0.1-0.4 ms beside Nix's writes to the same file system) and a 4 KiB block each: 40 GB at
 * ten million builds. Older steps keep the names the database holds (logs/BUILD/STEP.log).
 */
export function stepLogPath(buildId: number, stepnr: number): string {
  return join('logs', String(Math.floor(buildId / 1000)), `${buildId}-${stepnr}.log`);
}

/** The step's row (busy) and its log file, named after the step's number. */
function openStep(
  ctx: RunStepContext,
  step: Step,
  machine: PoolMachine,
  buildId: number,
  kill: AbortController,
): { stepnr: number; log: StepLog } {
  const logFor = (stepnr: number) => stepLogPath(buildId, stepnr);
  const stepnr = startStep(ctx.db, {
    buildId,
    drvPath: step.drvPath,
    machine: machine.spec.name,
    system: step.system,
    logfileFor: logFor,
    phase: machine.spec.ssh ? undefined : StepPhase.Building,
  });
  const log = new StepLog(
    ctx.stateDir,
    logFor(stepnr),
    ctx.maxLogSize,
    () => kill.abort('log-limit'),
    () => kill.abort('log-write'),
  );
  return { stepnr, log };
}

async function interpret(
  ctx: RunStepContext,
  step: Step,
  machine: PoolMachine,
  result: BuildOutcome,
  signal: AbortSignal,
  log: StepLog,
  phase: (p: number) => void,
): Promise<Settled> {
  switch (result.kind) {
    case 'built': {
      if (machine.spec.ssh) {
        phase(StepPhase.ReceivingOutputs);
        const received = await ctx.nix.copyClosureFrom(machine.spec.ssh, Object.values(step.outputs));
        log.write(`hydrant: copied ${received} store paths back from ${machine.spec.name}\n`);
      }
      return { kind: 'built' };
    }
    case 'aborted':
      if (log.exceeded)
        return {
          kind: 'failed',
          status: BuildStatus.LogLimitExceeded,
          message: `log limit of ${ctx.maxLogSize} bytes exceeded`,
        };
      return { kind: 'stopped', reason: signal.reason === 'cancelled' ? 'cancelled' : 'shutdown' };
    case 'log-limit':
      return {
        kind: 'failed',
        status: BuildStatus.LogLimitExceeded,
        message: `log limit of ${ctx.maxLogSize} bytes exceeded`,
      };
    case 'timed-out':
      return {
        kind: 'failed',
        status: BuildStatus.TimedOut,
        message: `${result.message} (meta.timeout or meta.maxSilent); the build process was killed`,
      };
    case 'failed':
      return { kind: 'failed', status: BuildStatus.Failed, message: result.message };
    case 'connection-lost':
      return { kind: 'transient', message: result.message, unreachable: !!machine.spec.ssh };
    case 'nix-failure':
      return { kind: 'transient', message: result.message, unreachable: false };
  }
}

/**
 * As Hydra's max_output_size: outputs bigger than the limit end the step with status 11,
 * measured where they were built, so a remote machine's are never copied back.
 */
async function outputsOverLimit(ctx: RunStepContext, conn: BuildConnection, step: Step): Promise<Settled | null> {
  if (ctx.maxOutputSize <= 0) return null;
  const size = await conn.narSize(Object.values(step.outputs));
  if (size <= ctx.maxOutputSize) return null;
  return {
    kind: 'failed',
    status: BuildStatus.OutputLimitExceeded,
    message: `the outputs take ${size} bytes, more than the limit of ${ctx.maxOutputSize} bytes (--max-output-size)`,
  };
}

/** The outputs of the step's input derivations: what must be valid where it builds. */
async function inputOutputPaths(nix: Nix, drv: Derivation): Promise<string[]> {
  const lists = await Promise.all(
    Object.entries(drv.inputDrvs).map(async ([drvPath, names]) => {
      const input = await nix.readDerivation(drvPath);
      return names.map((n) => {
        const out = input.outputs[n];
        if (!out) throw new Error(`${drvPath} has no output ${n}`);
        return out.path;
      });
    }),
  );
  return lists.flat();
}

function stepErrorMessage(o: StepOutcome): string | null {
  if (o.kind === 'success') return null;
  if (o.kind !== 'stopped') return o.message;
  return o.reason === 'cancelled' ? 'cancelled' : 'interrupted: hydrant was stopped; the build was re-queued';
}

function stepStatus(o: StepOutcome): number {
  if (o.kind === 'success') return BuildStatus.Success;
  if (o.kind === 'failed') return o.status;
  if (o.kind === 'stopped' && o.reason === 'cancelled') return BuildStatus.Cancelled;
  return BuildStatus.Aborted;
}
