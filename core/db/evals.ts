import { now, stmt, writeTransaction, type Db } from './database.ts';
import type { EvalInputRow, EvalRow } from '../model/rows.ts';
import type { EvaluatedJob, JobError } from '../nix/nix.ts';
import { ABORTED_STATUSES, BuildStatus, sqlList } from '../model/status.ts';

export interface ResolvedInput {
  name: string;
  type: string;
  uri: string | null;
  revision: string | null;
  value: string | null;
  path: string | null;
  dependency: number | null;
}

export interface NewEvaluation {
  jobsetId: number;
  inputsHash: string;
  checkoutSeconds: number;
  evalSeconds: number;
  nixexprinput: string;
  nixexprpath: string;
  inputs: ResolvedInput[];
  jobs: EvaluatedJob[];
  errors: JobError[];
  /**
   * Jobs Nix only named: their derivation is the one they had in evaluation `previousEvalId`
   * (evalJobsJson), whose builds they keep.
   */
  unchanged?: readonly string[];
  previousEvalId?: number;
}

/**
 * Records an evaluation and its members in one transaction. A job whose derivation this
 * jobset already has a build for reuses that build (member, not new); others get a new
 * queued build. Aggregate constituents are linked once all builds exist.
 */
export function registerEvaluation(
  db: Db,
  e: NewEvaluation,
): { evalId: number; newBuildIds: number[]; newDrvPaths: string[] } {
  const unchanged = e.unchanged ?? [];
  return writeTransaction(db, () => {
    const at = now();
    const evalId = Number(
      stmt(
        db,
        `INSERT INTO jobset_evals (jobset_id, timestamp, checkouttime, evaltime, hash, nrbuilds,
                                   nixexprinput, nixexprpath)
                                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        e.jobsetId,
        at,
        e.checkoutSeconds,
        e.evalSeconds,
        e.inputsHash,
        e.jobs.length + unchanged.length,
        e.nixexprinput,
        e.nixexprpath,
      ).lastInsertRowid,
    );
    for (const input of e.inputs) {
      stmt(
        db,
        `INSERT INTO jobset_eval_inputs (eval_id, name, altnr, type, uri, revision, value, dependency, path)
                VALUES (?, ?, 0, ?, ?, ?, ?, ?, ?)`,
      ).run(evalId, input.name, input.type, input.uri, input.revision, input.value, input.dependency, input.path);
    }
    const buildIdByJob = new Map<string, number>();
    const buildIdByDrv = new Map<string, number>();
    const jobOfDrv = new Map<string, string>();
    const newBuildIds: number[] = [];
    const newDrvPaths: string[] = [];
    const members: [number, 0 | 1][] = [];
    const known = (name: string, drvPath: string, buildId: number) => {
      buildIdByJob.set(name, buildId);
      // Jobs may alias one derivation; as hydra-eval-jobset, a constituent given by derivation
      // resolves to the job with the shortest name, the alphabetically first among equals.
      const holder = jobOfDrv.get(drvPath);
      if (holder === undefined || name.length < holder.length || (name.length === holder.length && name < holder)) {
        jobOfDrv.set(drvPath, name);
        buildIdByDrv.set(drvPath, buildId);
      }
    };
    if (unchanged.length) {
      // In SQL: 5,000 names looked up and copied from JavaScript cost more than Nix's whole answer.
      const kept = stmt(
        db,
        `INSERT INTO jobset_eval_members (eval_id, build_id, isnew)
           SELECT ?, m.build_id, 0 FROM jobset_eval_members m JOIN builds b ON b.id = m.build_id
            WHERE m.eval_id = ? AND b.job IN (SELECT value FROM json_each(?))`,
      ).run(evalId, e.previousEvalId ?? null, JSON.stringify(unchanged)).changes;
      if (kept !== unchanged.length)
        throw new Error(
          `${unchanged.length - kept} of the jobs said to be unchanged have no build in evaluation ${e.previousEvalId}`,
        );
      // An aggregate may name them as constituents.
      if (e.jobs.some((j) => j.isAggregate)) {
        for (const b of stmt<{ job: string; id: number; drvpath: string }>(
          db,
          `SELECT b.job, b.id, b.drvpath FROM jobset_eval_members m JOIN builds b ON b.id = m.build_id
            WHERE m.eval_id = ?`,
        ).all(evalId))
          known(b.job, b.drvpath, b.id);
      }
    }
    for (const job of e.jobs) {
      const existing = stmt<{ id: number }>(
        db,
        'SELECT id FROM builds WHERE drvpath = ? AND jobset_id = ? AND job = ? ORDER BY id DESC LIMIT 1',
      ).get(job.drvPath, e.jobsetId, job.name)?.id;
      const buildId = existing ?? insertBuild(db, e.jobsetId, at, job);
      if (existing === undefined) {
        newBuildIds.push(buildId);
        newDrvPaths.push(job.drvPath);
      }
      known(job.name, job.drvPath, buildId);
      members.push([buildId, existing === undefined ? 1 : 0]);
    }
    // In one statement: a row each from JavaScript cost twice as much.
    stmt(
      db,
      `INSERT OR IGNORE INTO jobset_eval_members (eval_id, build_id, isnew)
         SELECT ?, value ->> 0, value ->> 1 FROM json_each(?)`,
    ).run(evalId, JSON.stringify(members));
    for (const job of e.jobs) {
      if (!job.isAggregate) continue;
      const aggregate = buildIdByJob.get(job.name)!;
      for (const c of job.constituents) {
        const constituent = typeof c === 'string' ? buildIdByJob.get(c) : buildIdByDrv.get(c.drvPath);
        if (constituent !== undefined && constituent !== aggregate) {
          stmt(db, 'INSERT OR IGNORE INTO aggregate_constituents (aggregate, constituent) VALUES (?, ?)').run(
            aggregate,
            constituent,
          );
        }
      }
    }
    for (const err of e.errors) {
      stmt(db, 'INSERT OR REPLACE INTO eval_errors (eval_id, job, message) VALUES (?, ?, ?)').run(
        evalId,
        err.name,
        err.error,
      );
    }
    stmt(db, 'UPDATE jobset_evals SET hasnewbuilds = ? WHERE id = ?').run(newBuildIds.length > 0 ? 1 : 0, evalId);
    return { evalId, newBuildIds, newDrvPaths };
  });
}

/**
 * An evaluation's jobs as a JSON object, job → drvPath: what the next evaluation compares its
 * jobs with (EvalRequest.known). Built by SQLite: in JavaScript it cost five times as much.
 */
export function evalJobsJson(db: Db, evalId: number): string {
  return stmt<{ known: string }>(
    db,
    `SELECT json_group_object(b.job, b.drvpath) AS known FROM jobset_eval_members m JOIN builds b ON b.id = m.build_id
      WHERE m.eval_id = ?`,
  ).get(evalId)!.known;
}

/** A new queued build of `job`, with its outputs. */
function insertBuild(db: Db, jobsetId: number, at: number, job: EvaluatedJob): number {
  const buildId = Number(
    stmt(
      db,
      `INSERT INTO builds (finished, timestamp, jobset_id, job, nixname, description, drvpath, system, license,
                          homepage, maintainers, maxsilent, timeout, ischannel, priority, isaggregate)
         VALUES (0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      at,
      jobsetId,
      job.name,
      job.nixName,
      job.description,
      job.drvPath,
      job.system,
      job.license,
      job.homepage,
      job.maintainers,
      // As hydra-eval-jobset's getMeta: an unset, empty or zero meta value means the default
      // (priority 100; no timeout or maxSilent of its own, so the queue runner's settings apply).
      job.maxSilent || null,
      job.timeout || null,
      job.isChannel ? 1 : 0,
      job.schedulingPriority || 100,
      job.isAggregate ? 1 : 0,
    ).lastInsertRowid,
  );
  for (const name in job.outputs) {
    stmt(db, 'INSERT INTO build_outputs (build_id, name, path) VALUES (?, ?, ?)').run(buildId, name, job.outputs[name]);
  }
  return buildId;
}

export function getEval(db: Db, id: number): EvalRow | undefined {
  return stmt<EvalRow>(db, 'SELECT * FROM jobset_evals WHERE id = ?').get(id);
}

export function listEvals(db: Db, jobsetId: number, limit: number, offset = 0): EvalRow[] {
  return stmt<EvalRow>(db, 'SELECT * FROM jobset_evals WHERE jobset_id = ? ORDER BY id DESC LIMIT ? OFFSET ?').all(
    jobsetId,
    limit,
    offset,
  );
}

export function evalInputs(db: Db, evalId: number): EvalInputRow[] {
  return stmt<EvalInputRow>(db, 'SELECT * FROM jobset_eval_inputs WHERE eval_id = ? ORDER BY name, altnr').all(evalId);
}

export function evalErrors(db: Db, evalId: number): { job: string; message: string }[] {
  return stmt<{ job: string; message: string }>(
    db,
    'SELECT job, message FROM eval_errors WHERE eval_id = ? ORDER BY job',
  ).all(evalId);
}

export interface EvalSummary {
  total: number;
  succeeded: number;
  failed: number;
  queued: number;
  /** Aborted, cancelled or unsupported (3, 4, 9): what "restart all aborted builds" restarts. */
  aborted: number;
}

export function evalSummary(db: Db, evalId: number): EvalSummary {
  return stmt<EvalSummary>(
    db,
    `SELECT count(*) AS total,
                          coalesce(sum(b.finished = 1 AND b.buildstatus = ${BuildStatus.Success}), 0) AS succeeded,
                          coalesce(sum(b.finished = 1 AND b.buildstatus != ${BuildStatus.Success}), 0) AS failed,
                          coalesce(sum(b.finished = 0), 0) AS queued,
                         coalesce(sum(b.finished = 1 AND b.buildstatus IN (${sqlList(ABORTED_STATUSES)})), 0) AS aborted
                   FROM jobset_eval_members m JOIN builds b ON b.id = m.build_id WHERE m.eval_id = ?`,
  ).get(evalId)!;
}

export function previousEvalId(db: Db, jobsetId: number, evalId: number): number | undefined {
  const row = stmt<{ id: number }>(
    db,
    'SELECT id FROM jobset_evals WHERE jobset_id = ? AND id < ? ORDER BY id DESC LIMIT 1',
  ).get(jobsetId, evalId);
  return row?.id;
}

/** An aggregate's constituents, by job name as Hydra lists them (Build.pm constituents: order_by job). */
export function constituentIds(db: Db, aggregateBuildId: number): number[] {
  return stmt<{ constituent: number }>(
    db,
    `SELECT c.constituent FROM aggregate_constituents c JOIN builds b ON b.id = c.constituent
    WHERE c.aggregate = ? ORDER BY b.job, b.id`,
  )
    .all(aggregateBuildId)
    .map((r) => r.constituent);
}

/** Hydra's latest-eval: the newest evaluation with new builds, every one of its builds finished. */
export function latestFinishedEvalId(db: Db, jobsetId: number): number | undefined {
  const row = stmt<{ id: number }>(
    db,
    `SELECT e.id FROM jobset_evals e WHERE e.jobset_id = ? AND e.hasnewbuilds = 1 AND NOT EXISTS (
       SELECT 1 FROM jobset_eval_members m JOIN builds b ON b.id = m.build_id WHERE m.eval_id = e.id AND b.finished = 0)
                        ORDER BY e.id DESC LIMIT 1`,
  ).get(jobsetId);
  return row?.id;
}

/** The build of `job` in an evaluation. */
export function evalBuildOfJob(db: Db, evalId: number, job: string): number | undefined {
  const row = stmt<{ id: number }>(
    db,
    'SELECT b.id FROM jobset_eval_members m JOIN builds b ON b.id = m.build_id WHERE m.eval_id = ? AND b.job = ?',
  ).get(evalId, job);
  return row?.id;
}
