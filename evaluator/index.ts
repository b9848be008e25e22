import type { Config } from '../core/config.ts';
import { openDatabase, type Db } from '../core/db/database.ts';
import { GcRoots } from '../core/gc-roots.ts';
import { clearStaleEvaluations, dueJobsets } from '../core/db/jobsets.ts';
import { fireDueSchedules } from './schedules.ts';
import { now } from '../core/db/database.ts';
import type { Logger } from '../core/log.ts';
import { CliNix } from '../core/nix/cli-nix.ts';
import type { Nix } from '../core/nix/nix.ts';
import type { JobsetRow } from '../core/model/rows.ts';
import { checkJobset, type CheckContext, type CheckOutcome } from './check-jobset.ts';
import { specDirFingerprint, syncSpecDir } from './sync-specs.ts';
import { pathRulesOf } from '../core/jobset-specs/path-rules.ts';

export interface EvaluatorDeps {
  log: Logger;
  db?: Db;
  nix?: Nix;
}

export interface Evaluator {
  start(): void;
  stop(): Promise<void>;
  /** Syncs the specs, then checks every jobset due now (up to maxConcurrentEvals at once) and waits for them. */
  runOnce(): Promise<CheckOutcome[]>;
}

/** The evaluator role: keeps jobsets in line with their specs and evaluates them when due. */
export function createEvaluator(config: Config, deps: EvaluatorDeps): Evaluator {
  const log = deps.log.child({ role: 'evaluator' });
  const db = deps.db ?? openDatabase(config.dbPath);
  const stopping = new AbortController();
  const ctx: CheckContext = {
    signal: stopping.signal,
    db,
    log,
    nix: deps.nix ?? new CliNix(),
    stateDir: config.stateDir,
    paths: pathRulesOf(config),
    restrictEval: config.restrictEval ? { hostPaths: config.evalAllowedPaths } : null,
    roots: new GcRoots(config.gcRootsDir, (message) => log.error(message)),
    limits: {
      memoryMiB: config.evalMaxMemoryMiB,
      timeoutSeconds: config.evalTimeoutSeconds,
      workers: config.evalWorkers,
    },
  };
  // Each evaluation runs on its own: a slow one holds one slot, never the others' checks.
  const running = new Map<number, Promise<CheckOutcome>>();
  let fingerprint = '';
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  clearStaleEvaluations(db);

  const syncIfChanged = () => {
    const current = specDirFingerprint(config.jobsetsDir);
    if (current === fingerprint) return;
    try {
      syncSpecDir(db, config.jobsetsDir, log, ctx.paths);
      fingerprint = current;
    } catch (e) {
      log.error({ err: e }, `cannot read jobset specs from ${config.jobsetsDir}`);
    }
  };

  /** Starts checks of the given jobsets while slots are free; returns the ones it started. */
  const startChecks = (jobsets: JobsetRow[]): Promise<CheckOutcome>[] => {
    const started: Promise<CheckOutcome>[] = [];
    for (const jobset of jobsets) {
      if (stopped || running.size >= config.maxConcurrentEvals) break;
      if (running.has(jobset.id)) continue;
      const check = checkJobset(ctx, jobset)
        .catch((e: Error): CheckOutcome => {
          // checkJobset records its own failures; this is the database itself failing.
          log.error({ err: e, jobset: `${jobset.project}:${jobset.name}` }, 'jobset check failed unexpectedly');
          return { kind: 'failed', error: e.message };
        })
        .finally(() => running.delete(jobset.id));
      running.set(jobset.id, check);
      started.push(check);
    }
    return started;
  };

  const tick = () => {
    if (stopped) return;
    try {
      syncIfChanged();
      fireDueSchedules(db, now());
      startChecks(dueJobsets(db, now()));
    } catch (e) {
      log.error({ err: e }, 'evaluator tick failed');
    }
  };

  const runOnce = async (): Promise<CheckOutcome[]> => {
    syncIfChanged();
    fireDueSchedules(db, now());
    const pending = dueJobsets(db, now());
    const outcomes: CheckOutcome[] = [];
    const mine = new Set<Promise<void>>();
    while ((pending.length > 0 || mine.size > 0) && !stopped) {
      while (pending.length > 0 && running.size < config.maxConcurrentEvals) {
        const [check] = startChecks([pending.shift()!]);
        if (!check) continue; // already being checked by the timer's tick
        const done: Promise<void> = check.then((o) => {
          outcomes.push(o);
          mine.delete(done);
        });
        mine.add(done);
      }
      await Promise.race([...running.values(), ...mine]);
    }
    await Promise.all(mine);
    return outcomes;
  };

  return {
    start() {
      log.info({ jobsets: config.jobsetsDir }, 'evaluator started');
      tick();
      timer = setInterval(tick, Math.max(1, config.evalTickSeconds) * 1000);
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      stopping.abort();
      await Promise.allSettled(running.values());
      if (!deps.db) db.close();
    },
    runOnce,
  };
}
