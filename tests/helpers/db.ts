// The one place where tests read and write the database other than through core/db's own
// functions: facts no role reads (an evaluation's isnew flags), and states that are hard to
// reach through the roles. Each function names what it sets up or looks at, so a test says
// "fail the build" rather than carrying its own SQL.
import type { Db } from '../../core/db/database.ts';
import { stmt } from '../../core/db/database.ts';
import { finishBuild, type BuildResult } from '../../core/db/build-results.ts';
import { evalBuildsPage } from '../../core/db/eval-pages.ts';
import type { HiddenProjects } from '../../core/db/visibility.ts';
import { finishStep, type StepEnd } from '../../core/db/steps.ts';
import type { BuildWithJobset } from '../../core/model/rows.ts';
import { BuildStatus } from '../../core/model/status.ts';
import type { EvaluatedJob } from '../../core/nix/nix.ts';

/**
 * Records step and build results through core/db's own functions, for tests of the server
 * and evaluator that need finished builds without running the queue runner.
 */
export function finishStepAndBuild(
  db: Db,
  buildId: number,
  step: { stepnr: number; result: StepEnd } | null,
  build: BuildResult | null,
): void {
  if (step) finishStep(db, buildId, step.stepnr, step.result);
  if (build) finishBuild(db, buildId, build);
}

/** A build's result with a status and nothing else to say: no sizes, products or metrics; it ran from t=1 to t=2. */
export function plainResult(status: number): BuildResult {
  return {
    status,
    isCachedBuild: false,
    startTime: 1,
    stopTime: 2,
    size: null,
    closureSize: null,
    releaseName: null,
    products: [],
    metrics: [],
  };
}

/** Every build of an evaluation, by job name. */
export function evalBuilds(db: Db, evalId: number): BuildWithJobset[] {
  const builds = evalBuildsPage(db, evalId, 'all', Number.MAX_SAFE_INTEGER, 0);
  return builds.sort((a, b) => {
    if (a.job === b.job) return 0;
    return a.job < b.job ? -1 : 1;
  });
}

/** An evaluation's builds by job name, each with whether this evaluation created it (isnew) or reused it. */
export function evalMembers(db: Db, evalId: number): { build_id: number; job: string; isnew: number }[] {
  return stmt<{ build_id: number; job: string; isnew: number }>(
    db,
    `SELECT m.build_id, b.job, m.isnew FROM jobset_eval_members m JOIN builds b ON b.id = m.build_id
     WHERE m.eval_id = ? ORDER BY b.job`,
  ).all(evalId);
}

/** Every job of an evaluation by name: its build id. */
export function evalBuildIds(db: Db, evalId: number): Record<string, number> {
  return Object.fromEntries(evalBuilds(db, evalId).map((b) => [b.job, b.id]));
}

/** The newest evaluation of any jobset. */
export function newestEvalId(db: Db): number | undefined {
  return stmt<{ id: number }>(db, 'SELECT id FROM jobset_evals ORDER BY id DESC LIMIT 1').get()?.id;
}

/** Every request the server left for the queue runner, oldest first, with how it ended. */
export function queueCommands(db: Db): {
  kind: string;
  build_id: number | null;
  eval_id: number | null;
  username: string | null;
  handled: number | null;
  result: string | null;
}[] {
  return stmt<{
    kind: string;
    build_id: number | null;
    eval_id: number | null;
    username: string | null;
    handled: number | null;
    result: string | null;
  }>(db, 'SELECT kind, build_id, eval_id, username, handled, result FROM queue_commands ORDER BY id').all();
}

/** A build that finished long ago with one step of `seconds` on `machine`: history for fair-share scheduling. */
export function pastBuild(db: Db, buildId: number, seconds: number, machine: string): void {
  const stop = Math.floor(Date.now() / 1000) - 10;
  stmt(db, `UPDATE builds SET finished = 1, buildstatus = ${BuildStatus.Success} WHERE id = ?`).run(buildId);
  stmt(
    db,
    `INSERT INTO build_steps (build_id, stepnr, busy, status, starttime, stoptime, machine)
            VALUES (?, 1, 0, ${BuildStatus.Success}, ?, ?, ?)`,
  ).run(buildId, stop - seconds, stop, machine);
}

/** A step of `buildId` that ran from `start` to `stop` (null: still running), or was propagated from another build. */
export function addTimedStep(
  db: Db,
  buildId: number,
  stepnr: number,
  start: number | null,
  stop: number | null,
  propagatedFrom: number | null = null,
): void {
  stmt(
    db,
    `INSERT INTO build_steps (build_id, stepnr, busy, status, starttime, stoptime, machine, propagatedfrom)
            VALUES (?, ?, ?, ?, ?, ?, 'm', ?)`,
  ).run(
    buildId,
    stepnr,
    stop === null ? 1 : 0,
    stop === null ? null : BuildStatus.Success,
    start,
    stop,
    propagatedFrom,
  );
}

export function setSchedulingShares(db: Db, jobset: string, shares: number): void {
  stmt(db, 'UPDATE jobsets SET schedulingshares = ? WHERE name = ?').run(shares, jobset);
}

export function setProjectPrivate(db: Db, project: string, isPrivate: boolean): void {
  stmt(db, 'UPDATE projects SET private = ? WHERE name = ?').run(isPrivate ? 1 : 0, project);
}

/** Forgets every "evaluate now", as the evaluator does once it has evaluated. */
export function clearTriggers(db: Db): void {
  stmt(db, 'UPDATE jobsets SET triggertime = NULL').run();
}

export function setBuildCached(db: Db, buildId: number, cached: boolean): void {
  stmt(db, 'UPDATE builds SET iscachedbuild = ? WHERE id = ?').run(cached ? 1 : 0, buildId);
}

/** Points a queued build at another derivation, e.g. one that does not exist. */
export function setBuildDrv(db: Db, buildId: number, drvPath: string): void {
  stmt(db, 'UPDATE builds SET drvpath = ? WHERE id = ?').run(drvPath, buildId);
}

/** How many "build finished" notifications the outbox holds for each build that has any. */
export function finishedNotices(db: Db): { build_id: number; n: number }[] {
  return stmt<{ build_id: number; n: number }>(
    db,
    `SELECT build_id, count(*) AS n FROM outbox WHERE kind = 'build-finished' AND build_id IS NOT NULL
     GROUP BY build_id ORDER BY build_id`,
  ).all();
}

/** Steps some queue runner is running now (busy). */
export function busyStepCount(db: Db): number {
  return stmt<{ n: number }>(db, 'SELECT count(*) AS n FROM build_steps WHERE busy != 0').get()!.n;
}

/** Every build, oldest first, with its jobset's name. */
export function allBuilds(db: Db): BuildWithJobset[] {
  return stmt<BuildWithJobset>(
    db,
    `SELECT b.*, j.project AS project, j.name AS jobset FROM builds b
                                    JOIN jobsets j ON j.id = b.jobset_id ORDER BY b.id`,
  ).all();
}

/**
 * Leaves a request for the queue runner as the server would, but unchecked: tests of the
 * refusals need kinds and targets the server's own functions do not allow.
 */
export function addQueueCommand(
  db: Db,
  kind: string,
  target: { build?: number; eval?: number },
  username = 'alice',
): void {
  stmt(db, 'INSERT INTO queue_commands (kind, build_id, eval_id, username, created) VALUES (?, ?, ?, ?, ?)').run(
    kind,
    target.build ?? null,
    target.eval ?? null,
    username,
    Math.floor(Date.now() / 1000),
  );
}

/** Every evaluation of a jobset, counted (the jobset page counts only those that added builds). */
export function countEvals(db: Db, jobsetId: number): number {
  return stmt<{ n: number }>(db, 'SELECT count(*) AS n FROM jobset_evals WHERE jobset_id = ?').get(jobsetId)!.n;
}

/** A reader who may see every project, for tests of queries that take the viewer's hidden projects. */
export const NOTHING_HIDDEN: HiddenProjects = { json: '[]', names: new Set() };

/** Leaves a project without an owner, as a database that came from Hydra may: no form or spec writes that. */
export function clearProjectOwner(db: Db, project: string): void {
  stmt(db, 'UPDATE projects SET owner = NULL WHERE name = ?').run(project);
}

export interface OutboxEntry {
  id: number;
  kind: string;
  recipient: string | null;
  attempts: number;
  last_error: string | null;
  sent: number | null;
}

/** The outbox (mails, webhooks, build events), oldest first; only `kind` when given. */
export function outboxEntries(db: Db, kind?: string): OutboxEntry[] {
  const rows = stmt<OutboxEntry>(
    db,
    'SELECT id, kind, recipient, attempts, last_error, sent FROM outbox ORDER BY id',
  ).all();
  return kind === undefined ? rows : rows.filter((r) => r.kind === kind);
}

/** Changes the notifier has not put in a mail yet. */
export function unbatchedChangeCount(db: Db): number {
  return stmt<{ n: number }>(db, 'SELECT count(*) AS n FROM notification_changes WHERE batched IS NULL').get()!.n;
}

/** A jobset's mail settings (the jobset form's "email notification" and "email override"). */
export function setJobsetEmail(
  db: Db,
  jobset: { id: number } | { project: string; name: string },
  enabled: boolean,
  override = '',
): void {
  if ('id' in jobset)
    stmt(db, 'UPDATE jobsets SET enableemail = ?, emailoverride = ? WHERE id = ?').run(
      enabled ? 1 : 0,
      override,
      jobset.id,
    );
  else {
    stmt(db, 'UPDATE jobsets SET enableemail = ?, emailoverride = ? WHERE project = ? AND name = ?').run(
      enabled ? 1 : 0,
      override,
      jobset.project,
      jobset.name,
    );
  }
}

export function setUserEmail(db: Db, username: string, email: string | null): void {
  stmt(db, 'UPDATE users SET emailaddress = ? WHERE username = ?').run(email, username);
}

/** How many builds are still queued and how many finished without succeeding. */
export function unfinishedAndFailedCounts(db: Db): { unfinished: number; failed: number } {
  return stmt<{ unfinished: number; failed: number }>(
    db,
    `SELECT count(*) FILTER (WHERE finished = 0) AS unfinished,
            count(*) FILTER (WHERE finished = 1 AND buildstatus != ${BuildStatus.Success}) AS failed FROM builds`,
  ).get()!;
}

/** The jobs of every build that was marked cached (its outputs were valid when it was taken in), by id. */
export function cachedBuildJobs(db: Db): string[] {
  return stmt<{ job: string }>(db, 'SELECT job FROM builds WHERE iscachedbuild = 1 ORDER BY id')
    .all()
    .map((r) => r.job);
}

/**
 * Calls `onInsert` whenever a build step row is written on this connection, at the moment it
 * is written (a temporary trigger: nothing of it reaches the database file).
 */
export function onStepInserted(db: Db, onInsert: () => void): void {
  db.function('hydrant_test_step_inserted', () => {
    onInsert();
    return null;
  });
  stmt(
    db,
    `CREATE TEMP TRIGGER hydrant_test_step_inserted AFTER INSERT ON build_steps
     BEGIN SELECT hydrant_test_step_inserted(); END`,
  ).run();
}

export function setBuildPriority(db: Db, buildId: number, priority: number): void {
  stmt(db, 'UPDATE builds SET priority = ? WHERE id = ?').run(priority, buildId);
}

/** Moves a build in time (when it was queued), e.g. into an earlier period of /api/nrbuilds. */
export function setBuildTimestamp(db: Db, buildId: number, timestamp: number): void {
  stmt(db, 'UPDATE builds SET timestamp = ? WHERE id = ?').run(timestamp, buildId);
}

/**
 * Commits a row no role reads, so that every other connection sees the database change
 * (PRAGMA data_version moves) while nothing any page shows does.
 */
export function commitUnreadWrite(db: Db): void {
  stmt(db, "INSERT OR REPLACE INTO system_status (what, status) VALUES ('hydrant-test-write', ?)").run(
    String(Date.now()) + Math.random(),
  );
}

/**
 * Takes the database's write lock on this connection and keeps it until the returned function
 * is called, as a stuck writer in another process would.
 */
export function holdWriteLock(db: Db): () => void {
  stmt(db, 'BEGIN EXCLUSIVE').run();
  return () => {
    stmt(db, 'COMMIT').run();
  };
}

/**
 * A job as an evaluation hands it to registerEvaluation, for tests that register builds
 * without Nix: no meta, one output `out` (the drv path without `.drv` unless given), built
 * for x86_64-linux; `extra` overrides any field.
 */
export function evaluatedJob(
  name: string,
  drvPath: string,
  extra: Partial<EvaluatedJob> & { out?: string } = {},
): EvaluatedJob {
  const { out, ...rest } = extra;
  return {
    name,
    nixName: name,
    system: 'x86_64-linux',
    drvPath,
    outputs: { out: out ?? drvPath.replace(/\.drv$/, '') },
    description: null,
    license: null,
    homepage: null,
    maintainers: null,
    schedulingPriority: null,
    timeout: null,
    maxSilent: null,
    isChannel: false,
    isAggregate: false,
    constituents: [],
    ...rest,
  };
}
