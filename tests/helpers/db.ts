// The one place where tests read and write the database other than through core/db's own
// functions: facts no role reads (an evaluation's isnew flags), and states that are hard to
// reach through the roles. Each function names what it sets up or looks at, so a test says
// "fail the build" rather than carrying its own SQL.
import type { Db } from '../../core/db/database.ts';
import { stmt } from '../../core/db/database.ts';
import { evalBuildsPage } from '../../core/db/eval-pages.ts';
import type { BuildWithJobset } from '../../core/model/rows.ts';

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
