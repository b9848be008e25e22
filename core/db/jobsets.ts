import { now, stmt, type Db } from './database.ts';
import type { JobsetInputRow, JobsetRow } from '../model/rows.ts';
import type { JobsetSpec } from '../jobset-specs/types.ts';

export function getJobset(db: Db, project: string, name: string): JobsetRow | undefined {
  return stmt<JobsetRow>(db, 'SELECT * FROM jobsets WHERE project = ? AND name = ?').get(project, name);
}

export function getJobsetById(db: Db, id: number): JobsetRow | undefined {
  return stmt<JobsetRow>(db, 'SELECT * FROM jobsets WHERE id = ?').get(id);
}

export function listJobsets(db: Db, project: string): JobsetRow[] {
  return stmt<JobsetRow>(db, 'SELECT * FROM jobsets WHERE project = ? ORDER BY name').all(project);
}

export function jobsetInputs(db: Db, jobsetId: number): JobsetInputRow[] {
  return stmt<JobsetInputRow>(db, 'SELECT * FROM jobset_inputs WHERE jobset_id = ? ORDER BY name').all(jobsetId);
}

/** Creates or updates a jobset from its spec and replaces its inputs. Run inside a write transaction. */
export function upsertJobsetFromSpec(db: Db, project: string, spec: JobsetSpec, specSource: string): number {
  const row = stmt<{ id: number }>(
    db,
    `
    INSERT INTO jobsets (project, name, description, nixexprinput, nixexprpath, enabled, hidden, checkinterval,
                         schedule, schedulingshares, enableemail, emailoverride, keepnr, spec_source, spec_error)
    VALUES (@project, @name, @description, @nixexprinput, @nixexprpath, @enabled, @hidden, @checkinterval, @schedule,
            @schedulingshares, @enableemail, @emailoverride, @keepnr, @spec_source, NULL)
    ON CONFLICT (project, name) DO UPDATE SET
      description = excluded.description, nixexprinput = excluded.nixexprinput, nixexprpath = excluded.nixexprpath,
      enabled = CASE
        -- A one-shot jobset that already ran stays off until its spec changes the state.
        WHEN jobsets.enabled = 0 AND excluded.enabled = 2 AND jobsets.lastinputshash IS NOT NULL
          AND jobsets.spec_error IS NULL THEN 0
        ELSE excluded.enabled END,
      hidden = excluded.hidden, checkinterval = excluded.checkinterval,
      -- A new schedule counts from now: times before it was set never fire.
      schedulecheckedtime = CASE WHEN jobsets.schedule = excluded.schedule
        THEN jobsets.schedulecheckedtime ELSE NULL END,
      schedule = excluded.schedule,
      schedulingshares = excluded.schedulingshares, enableemail = excluded.enableemail,
      emailoverride = excluded.emailoverride, keepnr = excluded.keepnr, spec_source = excluded.spec_source,
      spec_error = NULL
    RETURNING id`,
  ).get({
    project,
    name: spec.name,
    description: spec.description,
    nixexprinput: spec.nixexprinput,
    nixexprpath: spec.nixexprpath,
    enabled: spec.enabled,
    hidden: spec.hidden ? 1 : 0,
    checkinterval: spec.checkinterval,
    schedule: spec.schedule ?? '',
    schedulingshares: spec.schedulingshares,
    enableemail: spec.enableemail ? 1 : 0,
    emailoverride: spec.emailoverride,
    keepnr: spec.keepnr,
    spec_source: specSource,
  })!;
  const previous = jobsetInputs(db, row.id);
  const changed =
    previous.length !== spec.inputs.length ||
    spec.inputs.some((i) => {
      const p = previous.find((x) => x.name === i.name);
      return !p || p.type !== i.type || p.value !== i.value || p.emailresponsible !== (i.emailresponsible ? 1 : 0);
    });
  if (changed) {
    stmt(db, 'DELETE FROM jobset_inputs WHERE jobset_id = ?').run(row.id);
    for (const input of spec.inputs) {
      stmt(db, 'INSERT INTO jobset_inputs (jobset_id, name, type, value, emailresponsible) VALUES (?, ?, ?, ?, ?)').run(
        row.id,
        input.name,
        input.type,
        input.value,
        input.emailresponsible ? 1 : 0,
      );
    }
    // New inputs deserve a new evaluation even if the fetched values turn out equal.
    stmt(db, 'UPDATE jobsets SET lastinputshash = NULL WHERE id = ?').run(row.id);
  }
  return row.id;
}

/** A jobset whose spec is invalid: recorded with its error and not evaluated until fixed. */
export function setJobsetSpecError(db: Db, project: string, name: string, specSource: string, error: string): void {
  stmt(
    db,
    `INSERT INTO jobsets (project, name, enabled, spec_source, spec_error, errormsg, errortime)
            VALUES (?, ?, 0, ?, ?, ?, ?)
            ON CONFLICT (project, name) DO UPDATE SET spec_error = excluded.spec_error,
              errormsg = excluded.errormsg, errortime = excluded.errortime`,
  ).run(project, name, specSource, error, error, now());
}

/** Jobsets a spec file used to declare but no longer does: disabled and hidden, history kept. */
export function retireJobsetsNotIn(db: Db, project: string, specSource: string, keep: readonly string[]): void {
  const rows = stmt<{ id: number; name: string }>(
    db,
    'SELECT id, name FROM jobsets WHERE project = ? AND spec_source = ?',
  ).all(project, specSource);
  for (const r of rows) {
    if (!keep.includes(r.name)) stmt(db, 'UPDATE jobsets SET enabled = 0, hidden = 1 WHERE id = ?').run(r.id);
  }
}

/**
 * Jobsets to check now: enabled, valid, not being evaluated, and either asked for
 * (triggertime), never checked, or past their check interval. A one-at-a-time jobset
 * (enabled = 3) waits until every build of its latest evaluation has finished; a trigger
 * stays pending meanwhile. Oldest-checked first.
 */
export function dueJobsets(db: Db, at: number): JobsetRow[] {
  return stmt<JobsetRow>(
    db,
    `
    SELECT j.* FROM jobsets j JOIN projects p ON p.name = j.project
    WHERE j.enabled != 0 AND p.enabled = 1 AND j.spec_error IS NULL AND j.starttime IS NULL
      AND (j.triggertime IS NOT NULL
           OR (j.checkinterval > 0 AND (j.lastcheckedtime IS NULL OR j.lastcheckedtime + j.checkinterval <= ?)))
      AND NOT (j.enabled = 3 AND EXISTS (
        SELECT 1 FROM jobset_eval_members m JOIN builds b ON b.id = m.build_id
        WHERE m.eval_id = (SELECT max(e.id) FROM jobset_evals e WHERE e.jobset_id = j.id) AND b.finished = 0))
    ORDER BY j.triggertime IS NULL, COALESCE(j.lastcheckedtime, 0)`,
  ).all(at);
}

export function markEvaluationStarted(db: Db, jobsetId: number): void {
  stmt(db, 'UPDATE jobsets SET starttime = ?, triggertime = NULL WHERE id = ?').run(now(), jobsetId);
}

/** The end of a check: evaluated, skipped as unchanged, or failed. */
export function markChecked(
  db: Db,
  jobsetId: number,
  result: { error: string | null; fetchError?: string | null; inputsHash?: string },
): void {
  stmt(
    db,
    `UPDATE jobsets SET starttime = NULL, lastcheckedtime = @at,
              errormsg = @error, errortime = CASE WHEN @error IS NULL THEN errortime ELSE @at END,
              fetcherrormsg = @fetchError,
              lastinputshash = COALESCE(@hash, lastinputshash)
            WHERE id = @id`,
  ).run({
    id: jobsetId,
    at: now(),
    error: result.error,
    fetchError: result.fetchError ?? null,
    hash: result.inputsHash ?? null,
  });
}

/** Evaluations interrupted by a crash would otherwise block their jobset forever; they run again. */
export function clearStaleEvaluations(db: Db): number {
  return stmt(
    db,
    'UPDATE jobsets SET starttime = NULL, triggertime = COALESCE(triggertime, starttime) WHERE starttime IS NOT NULL',
  ).run().changes;
}

export function triggerEvaluation(db: Db, jobsetId: number): void {
  stmt(db, 'UPDATE jobsets SET triggertime = ? WHERE id = ?').run(now(), jobsetId);
}

export function disableJobset(db: Db, jobsetId: number): void {
  stmt(db, 'UPDATE jobsets SET enabled = 0 WHERE id = ?').run(jobsetId);
}

/** An evaluation cut short by a shutdown: no error of the jobset's; it is asked for again. */
export function markEvaluationInterrupted(db: Db, jobsetId: number): void {
  stmt(db, 'UPDATE jobsets SET starttime = NULL, triggertime = COALESCE(triggertime, starttime) WHERE id = ?').run(
    jobsetId,
  );
}
