import { stmt, type Db } from './database.ts';
import type { BuildMetricRow, BuildOutputRow, BuildProductRow, BuildStepRow, BuildWithJobset } from '../model/rows.ts';
import { notHidden, type HiddenProjects } from './visibility.ts';
import { BuildStatus } from '../model/status.ts';

const WITH_JOBSET =
  'SELECT b.*, j.project AS project, j.name AS jobset FROM builds b JOIN jobsets j ON j.id = b.jobset_id';

export function getBuild(db: Db, id: number): BuildWithJobset | undefined {
  return stmt<BuildWithJobset>(db, `${WITH_JOBSET} WHERE b.id = ?`).get(id);
}

export function buildOutputs(db: Db, buildId: number): BuildOutputRow[] {
  return stmt<BuildOutputRow>(db, 'SELECT * FROM build_outputs WHERE build_id = ? ORDER BY name').all(buildId);
}

export function buildSteps(db: Db, buildId: number): BuildStepRow[] {
  return stmt<BuildStepRow>(db, 'SELECT * FROM build_steps WHERE build_id = ? ORDER BY stepnr').all(buildId);
}

export function buildProducts(db: Db, buildId: number): BuildProductRow[] {
  return stmt<BuildProductRow>(db, 'SELECT * FROM build_products WHERE build_id = ? ORDER BY productnr').all(buildId);
}

export function buildMetrics(db: Db, buildId: number): BuildMetricRow[] {
  return stmt<BuildMetricRow>(
    db,
    'SELECT build_id, name, unit, value FROM build_metrics WHERE build_id = ? ORDER BY name',
  ).all(buildId);
}

export function buildEvalIds(db: Db, buildId: number): number[] {
  return stmt<{ eval_id: number }>(db, 'SELECT eval_id FROM jobset_eval_members WHERE build_id = ? ORDER BY eval_id')
    .all(buildId)
    .map((r) => r.eval_id);
}

export interface LatestFilter {
  /** Hydra's `latest`: the newest successful build. */
  successful?: boolean;
  system?: string;
  /** Hydra's `latest-finished`: only builds whose whole evaluation has finished. */
  evalFinished?: boolean;
}

export function latestBuildOfJob(
  db: Db,
  jobsetId: number,
  job: string,
  filter: LatestFilter,
): BuildWithJobset | undefined {
  const clauses = ['b.jobset_id = @jobsetId', 'b.job = @job', 'b.finished = 1'];
  if (filter.successful) clauses.push(`b.buildstatus = ${BuildStatus.Success}`);
  if (filter.system) clauses.push('b.system = @system');
  if (filter.evalFinished) {
    clauses.push(`EXISTS (SELECT 1 FROM jobset_eval_members m WHERE m.build_id = b.id AND NOT EXISTS (
                    SELECT 1 FROM jobset_eval_members m2 JOIN builds b2 ON b2.id = m2.build_id
                    WHERE m2.eval_id = m.eval_id AND b2.finished = 0))`);
  }
  return stmt<BuildWithJobset>(db, `${WITH_JOBSET} WHERE ${clauses.join(' AND ')} ORDER BY b.id DESC LIMIT 1`).get({
    jobsetId,
    job,
    system: filter.system ?? null,
  });
}

export function jobBuilds(db: Db, jobsetId: number, job: string, limit: number, offset = 0): BuildWithJobset[] {
  return stmt<BuildWithJobset>(
    db,
    `${WITH_JOBSET} WHERE b.jobset_id = ? AND b.job = ? ORDER BY b.id DESC LIMIT ? OFFSET ?`,
  ).all(jobsetId, job, limit, offset);
}

export function queuedBuilds(db: Db, hidden: HiddenProjects, limit: number, offset = 0): BuildWithJobset[] {
  return stmt<BuildWithJobset>(
    db,
    `${WITH_JOBSET} WHERE b.finished = 0 AND ${notHidden('j.project')}
    ORDER BY b.globalpriority DESC, b.priority DESC, b.id LIMIT ? OFFSET ?`,
  ).all(hidden.json, limit, offset);
}

export function countQueuedBuilds(db: Db, hidden: HiddenProjects): number {
  if (hidden.names.size === 0)
    return stmt<{ n: number }>(db, 'SELECT count(*) AS n FROM builds WHERE finished = 0').get()!.n;
  return stmt<{ n: number }>(
    db,
    `SELECT count(*) AS n FROM builds b JOIN jobsets j ON j.id = b.jobset_id
    WHERE b.finished = 0 AND ${notHidden('j.project')}`,
  ).get(hidden.json)!.n;
}

/** Builds with a step running now, for "running" badges and /status. */
export function runningBuildIds(db: Db): Set<number> {
  return new Set(
    stmt<{ build_id: number }>(db, 'SELECT DISTINCT build_id FROM build_steps WHERE busy != 0')
      .all()
      .map((r) => r.build_id),
  );
}
