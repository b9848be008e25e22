import { cpus } from 'node:os';
import type { Config } from '../core/config.ts';
import { openDatabase, type Db } from '../core/db/database.ts';
import { nextQueuedBuilds, recoverInterruptedSteps } from '../core/db/queue.ts';
import type { Logger } from '../core/log.ts';
import { CliNix } from '../core/nix/cli-nix.ts';
import type { Nix } from '../core/nix/nix.ts';
import { buildLocally } from './build-locally.ts';

export interface QueueRunnerDeps {
  log: Logger;
  db?: Db;
  nix?: Nix;
  /** Builds at once on the local machine. Default: the number of cores. */
  maxJobs?: number;
}

export interface QueueRunner {
  start(): void;
  /** Stops taking work, interrupts running builds (they stay queued) and waits for them. */
  stop(): Promise<void>;
  /** Starts every queued build there is room for and waits until they are done. */
  runOnce(): Promise<number>;
}

/** The queue-runner role: turns queued builds into finished ones. */
export function createQueueRunner(config: Config, deps: QueueRunnerDeps): QueueRunner {
  const log = deps.log.child({ role: 'queue-runner' });
  const db = deps.db ?? openDatabase(config.dbPath);
  const nix = deps.nix ?? new CliNix();
  const maxJobs = deps.maxJobs ?? Math.max(1, cpus().length);
  const abort = new AbortController();
  const active = new Map<number, Promise<unknown>>();
  let timer: NodeJS.Timeout | undefined;

  const recovered = recoverInterruptedSteps(db);
  if (recovered) log.warn({ steps: recovered }, 'marked steps interrupted by the last shutdown as aborted; their builds are queued again');

  const ctx = {
    db, nix, log, stateDir: config.stateDir, machine: 'localhost',
    defaultTimeout: config.buildTimeoutSeconds, defaultMaxSilent: config.maxSilentSeconds,
  };

  /** Starts what fits; returns the promises of the builds it started. */
  const dispatch = (skip: ReadonlySet<number> = new Set()): Promise<unknown>[] => {
    if (abort.signal.aborted) return [];
    const room = maxJobs - active.size;
    if (room <= 0) return [];
    const candidates = nextQueuedBuilds(db, maxJobs + active.size + skip.size).filter((b) => !active.has(b.id) && !skip.has(b.id)).slice(0, room);
    return candidates.map((build) => {
      const p = buildLocally(ctx, build, abort.signal)
        .catch((e) => log.error({ err: e, build: build.id }, 'build failed unexpectedly; it stays queued'))
        .finally(() => {
          active.delete(build.id);
          if (timer) setImmediate(dispatchQuietly);
        });
      active.set(build.id, p);
      return p;
    });
  };
  const dispatchQuietly = () => {
    try { dispatch(); } catch (e) { log.error({ err: e }, 'queue dispatch failed'); }
  };

  return {
    start() {
      log.info({ maxJobs }, 'queue runner started');
      dispatchQuietly();
      timer = setInterval(dispatchQuietly, Math.max(1, config.queueTickSeconds) * 1000);
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      abort.abort();
      await Promise.allSettled([...active.values()]);
      if (!deps.db) db.close();
    },
    async runOnce() {
      // A build that failed unexpectedly stays queued; trying it once per call keeps this finite.
      const attempted = new Set<number>();
      for (;;) {
        const before = new Set(active.keys());
        dispatch(attempted);
        for (const id of active.keys()) if (!before.has(id)) attempted.add(id);
        if (active.size === 0) return attempted.size;
        await Promise.race([...active.values()]);
      }
    },
  };
}
