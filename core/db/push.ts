import { stmt, type Db } from './database.ts';

/**
 * Jobsets with a git input whose URL is `repoUrl`, for push notifications
 * (`/api/push?repos=URL`). A git input's value is "URL [BRANCH [DEPTH]]", as in Hydra.
 */
export function jobsetsWithRepo(db: Db, repoUrl: string): { id: number; project: string; name: string }[] {
  const rows = stmt<{ id: number; project: string; name: string; value: string }>(
    db,
    `SELECT j.id, j.project, j.name, i.value FROM jobset_inputs i JOIN jobsets j ON j.id = i.jobset_id
                         WHERE i.type = 'git' AND (i.value = ? OR i.value LIKE ? || ' %')`,
  ).all(repoUrl, repoUrl);
  const unique = new Map(
    rows
      .filter((r) => r.value.split(/\s+/)[0] === repoUrl)
      .map((r) => [r.id, { id: r.id, project: r.project, name: r.name }]),
  );
  return [...unique.values()];
}
