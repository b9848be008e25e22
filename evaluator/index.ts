import type { Config } from '../core/config.ts';
import { openDatabase, type Db } from '../core/db/database.ts';
import { clearStaleEvaluations, dueJobsets } from '../core/db/jobsets.ts';
import { now } from '../core/db/database.ts';
import type { Logger } from '../core/log.ts';
import { CliNix } from '../core/nix/cli-nix.ts';
import type { Nix } from '../core/nix/nix.ts';
import { checkJobset, type CheckOutcome } from './check-jobset.ts';
import { specDirFingerprint, syncSpecDir } from './sync-specs.ts';

export interface EvaluatorDeps {
  log: Logger;
  db?: Db;
  nix?: Nix;
}

export interface Evaluator {
  start(): void;
  stop(): Promise<void>;
  /** Syncs the specs, then checks every due jobset (up to maxConcurrentEvals at once) and waits for them. */
  runOnce(): Promise<CheckOutcome[]>;
}

/** The evaluator role: keeps jobsets in line with their specs and evaluates them when due. */
export function createEvaluator(config: Config, deps: EvaluatorDeps): Evaluator {
  const log = deps.log.child({ role: 'evaluator' });
  const db = deps.db ?? openDatabase(config.dbPath);
  const nix = deps.nix ?? new CliNix();
  let fingerprint = '';
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let busy = false;
  let stopped = false;

  clearStaleEvaluations(db);

  const syncIfChanged = () => {
    const current = specDirFingerprint(config.jobsetsDir);
    if (current === fingerprint) return;
    try {
      syncSpecDir(db, config.jobsetsDir, log);
      fingerprint = current;
    } catch (e) {
      log.error({ err: e }, `cannot read jobset specs from ${config.jobsetsDir}`);
    }
  };

  const runOnce = async (): Promise<CheckOutcome[]> => {
    syncIfChanged();
    const due = dueJobsets(db, now());
    const outcomes: CheckOutcome[] = [];
    const queue = [...due];
    const worker = async () => {
      for (let jobset = queue.shift(); jobset && !stopped; jobset = queue.shift()) {
        outcomes.push(await checkJobset({ db, nix, log, stateDir: config.stateDir }, jobset));
      }
    };
    await Promise.all(Array.from({ length: Math.min(config.maxConcurrentEvals, queue.length) }, worker));
    return outcomes;
  };

  const tick = () => {
    if (busy || stopped) return;
    busy = true;
    running = runOnce()
      .catch((e) => log.error({ err: e }, 'evaluator tick failed'))
      .finally(() => { busy = false; });
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
      await running;
      if (!deps.db) db.close();
    },
    runOnce,
  };
}
