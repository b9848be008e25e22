import { join } from 'node:path';
import type { Config } from '../core/config.ts';
import { GcRoots } from '../core/gc-roots.ts';
import { openDatabase, type Db } from '../core/db/database.ts';
import { recoverInterruptedSteps } from '../core/db/build-results.ts';
import type { Logger } from '../core/log.ts';
import { CliNix } from '../core/nix/cli-nix.ts';
import { defaultMachines } from '../core/nix/machines.ts';
import type { Nix } from '../core/nix/nix.ts';
import { admitNewBuilds } from './admit-builds.ts';
import { handleCommands } from './commands/handle-commands.ts';
import { Dispatcher } from './dispatcher.ts';
import { MachinePool } from './machine-pool.ts';
import type { QueueRunnerContext } from './runner-context.ts';
import { NixLogKeeper } from './nix-log-keeper.ts';
import { FollowUp } from './follow-up.ts';
import { QueueBacklog } from './queue-backlog.ts';
import { StepGraph } from './step-graph.ts';
import { GC_ROOTS_INTERVAL_MS, updateGcRoots } from './update-gc-roots.ts';

/** Between batches (ADMIT_BATCH) of a big queue being taken in while enough steps wait: 2,000 builds a second. */
const BACKGROUND_BATCH_MS = 50;
/** Steps waiting below which the next batch is taken in at once. */
const WAITING_WANTED = 1000;

export interface QueueRunnerDeps {
  log: Logger;
  db?: Db;
  nix?: Nix;
  /** Jobs at once on the default local machine (no machines file). Default: the number of cores. */
  maxJobs?: number;
}

export interface QueueRunner {
  start(): void;
  /** Stops taking work, interrupts running steps (their builds stay queued) and waits for them. */
  stop(): Promise<void>;
  /** Works until every queued build that can be finished is; returns how many builds it took in. */
  runOnce(): Promise<number>;
}

/** The queue-runner role: turns queued builds into steps, runs them on machines, records results. */
export function createQueueRunner(config: Config, deps: QueueRunnerDeps): QueueRunner {
  const log = deps.log.child({ role: 'queue-runner' });
  const db = deps.db ?? openDatabase(config.dbPath);
  const nix = deps.nix ?? new CliNix('', join(config.stateDir, 'ssh'));
  const graph = new StepGraph();
  const pool = new MachinePool(db, nix, log, config.machinesFile, defaultMachines(deps.maxJobs));
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> | null = null;
  let wake: () => void = () => undefined;

  const recovered = recoverInterruptedSteps(db);
  if (recovered)
    log.warn({ steps: recovered }, 'marked steps interrupted by the last shutdown as aborted; their builds run again');

  const stopSteps = (steps: Parameters<Dispatcher['stopSteps']>[0]) => dispatcher.stopSteps(steps, 'cancelled');
  const roots = new GcRoots(config.gcRootsDir, (message) => log.error(message));
  let rootsUpdated = 0;
  let rootsUpdating = false;
  const ctx: QueueRunnerContext = {
    db,
    nix,
    log,
    graph,
    roots,
    stateDir: config.stateDir,
    maxLogSize: config.maxLogSizeBytes,
    maxOutputSize: config.maxOutputSizeBytes,
    maxTries: config.maxTries,
    background: new Set<Promise<unknown>>(),
    nixLogs: new NixLogKeeper(),
    retryIntervalSeconds: config.retryIntervalSeconds,
    stopSteps,
    markUnreachable: (machine, message) => pool.markUnreachable(machine, message, config.retryIntervalSeconds),
  };
  const dispatcher: Dispatcher = new Dispatcher(
    ctx,
    pool,
    {
      defaultTimeout: config.buildTimeoutSeconds,
      defaultMaxSilent: config.maxSilentSeconds,
      unsupportedWaitSeconds: config.unsupportedWaitSeconds,
    },
    () => {
      dispatchQuietly();
      wake();
    },
  );
  const dispatchQuietly = () => {
    try {
      dispatcher.dispatch(false);
    } catch (e) {
      log.error({ err: e }, 'queue dispatch failed');
    }
  };

  /**
   * Commands, machines file, new builds, then whatever can start. One at a time. A light
   * tick (runOnce's, between full ones) keeps the fair-share figures and the order of the
   * queue, and looks only for builds the evaluator added; the first one asked for runs.
   */
  let admitted = 0;
  const backlog = new QueueBacklog();
  const hungry = () => backlog.pending && dispatcher.waiting() < WAITING_WANTED;
  let relist = true;
  let loading = true;
  let fullTickAt = 0;
  const followUp = new FollowUp(() => void tick(false));
  const tick = (full = true): Promise<void> => {
    ticking ??= (async () => {
      try {
        const commands = await handleCommands(ctx);
        pool.reload();
        admitted += await admitNewBuilds(ctx, backlog, relist || commands > 0);
        relist = false;
        if (backlog.pending) loading = true;
        else if (loading) {
          loading = false;
          log.info({ builds: graph.builds.size }, 'all queued builds taken in');
        }
        if (commands > 0) dispatcher.reorder();
        if (full || commands > 0) {
          fullTickAt = Date.now();
          dispatcher.forgetShareUsage();
        }
        dispatcher.dispatch(full);
        // After dispatching, and not while a big queue is being taken in: this reads every queued
        // row. Its removals run beside the next ticks (ctx.background: runOnce and stop wait for it).
        if (!backlog.pending && !rootsUpdating && Date.now() - rootsUpdated >= GC_ROOTS_INTERVAL_MS) {
          rootsUpdated = Date.now();
          const update = updateGcRoots(db, roots)
            .then(({ added, removed }) => {
              if (added || removed) log.info({ added, removed, dir: roots.dir }, 'garbage-collector roots updated');
            })
            .catch((e: unknown) => log.error({ err: e }, 'updating the garbage-collector roots failed'))
            .finally(() => {
              rootsUpdating = false;
              ctx.background.delete(update);
            });
          rootsUpdating = true;
          ctx.background.add(update);
        }
      } catch (e) {
        log.error({ err: e }, 'queue runner tick failed; trying again next tick');
      } finally {
        ticking = null;
      }
      // The rest of a big queue is taken in a batch at a time, steps running meanwhile: at
      // once while few steps wait, else at a pace that leaves the CPU to the builds.
      if (backlog.pending && timer) followUp.schedule(hungry() ? 'now' : BACKGROUND_BATCH_MS);
    })();
    return ticking;
  };

  return {
    start() {
      log.info('queue runner started');
      void tick();
      timer = setInterval(() => void tick(), Math.max(1, config.queueTickSeconds) * 1000);
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      followUp.cancel();
      await dispatcher.stopAll();
      await ticking;
      await Promise.allSettled([...ctx.background]);
      pool.closeAll();
      if (!deps.db) db.close();
    },
    async runOnce() {
      const admittedBefore = admitted;
      relist = true;
      const tickMs = Math.max(1, config.queueTickSeconds) * 1000;
      // A step that ends starts the next itself (onIdleSlot); ticking after each one would
      // cost a few queries per step, so a tick comes once a tick's time or when all is idle.
      let tickedAt = 0;
      for (let first = true; ; first = false) {
        if (first || hungry() || dispatcher.busy === 0 || Date.now() - tickedAt >= tickMs) {
          await tick(first || Date.now() - fullTickAt >= tickMs);
          tickedAt = Date.now();
        }
        if (hungry()) {
          await new Promise((resolve) => setImmediate(resolve));
          continue;
        }
        if (!backlog.pending && dispatcher.busy === 0 && graph.runnable(Date.now()).length === 0) {
          const next = dispatcher.nextWake();
          if (next === null) {
            await Promise.allSettled([...ctx.background]);
            return admitted - admittedBefore;
          }
          await sleep(Math.min(Math.max(50, next - Date.now()), 60_000));
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 1000);
        });
      }
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
