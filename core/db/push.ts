import { now, stmt, writeTransaction, type Db } from './database.ts';

/**
 * Hydra's push triggers (POST /api/push): ask for evaluations now by setting
 * jobsets.triggertime, which the evaluator honours at its next tick. Only enabled jobsets of
 * enabled projects are triggered, as in Hydra. Each returns the "project:jobset" names it
 * triggered.
 */
export function triggerJobsetsByName(db: Db, names: readonly { project: string; jobset: string }[]): string[] {
  return writeTransaction(db, () => names.flatMap(({ project, jobset }) => {
    const row = stmt(db, `UPDATE jobsets SET triggertime = ? WHERE project = ? AND name = ? AND enabled != 0
                            AND project IN (SELECT name FROM projects WHERE enabled = 1) RETURNING project, name`)
      .get(now(), project, jobset) as { project: string; name: string } | undefined;
    return row ? [`${row.project}:${row.name}`] : [];
  }));
}

/** Every jobset with a git input on this repository URL (any branch). */
export function triggerJobsetsByRepo(db: Db, url: string): string[] {
  const rows = stmt(db, `UPDATE jobsets SET triggertime = ?
                          WHERE enabled != 0 AND project IN (SELECT name FROM projects WHERE enabled = 1)
                            AND id IN (SELECT jobset_id FROM jobset_inputs
                                       WHERE type = 'git' AND (trim(value) = ? OR trim(value) LIKE ? ESCAPE '\\'))
                          RETURNING project, name`)
    .all(now(), url, `${url.replace(/[\\%_]/g, (c) => `\\${c}`)} %`) as { project: string; name: string }[];
  return rows.map((r) => `${r.project}:${r.name}`).sort();
}


/**
 * Jobsets with a git input whose URL is `repoUrl`, for push notifications
 * (`/api/push?repos=URL`). A git input's value is "URL [BRANCH [DEPTH]]", as in Hydra.
 */
export function jobsetsWithRepo(db: Db, repoUrl: string): { id: number; project: string; name: string }[] {
  const rows = stmt(db, `SELECT j.id, j.project, j.name, i.value FROM jobset_inputs i JOIN jobsets j ON j.id = i.jobset_id
                         WHERE i.type = 'git' AND (i.value = ? OR i.value LIKE ? || ' %')`).all(repoUrl, repoUrl) as { id: number; project: string; name: string; value: string }[];
  const unique = new Map(rows.filter((r) => r.value.split(/\s+/)[0] === repoUrl).map((r) => [r.id, { id: r.id, project: r.project, name: r.name }]));
  return [...unique.values()];
}
