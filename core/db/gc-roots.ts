import { stmt, type Db } from './database.ts';
import { sqlList, STATUSES_WITH_OUTPUTS } from '../model/status.ts';

/**
 * The store paths hydrant keeps from the garbage collector, as Hydra's
 * hydra-update-gc-roots does: the .drv files of builds still queued (the queue runner
 * builds from them); the outputs of builds marked "keep"; and the outputs of the
 * successful builds (0, 6) of each jobset's newest `keepnr` evaluations that had new
 * builds. A retired jobset (disabled and hidden, as when removed from its spec) keeps
 * only what is marked "keep".
 */
export function wantedStorePaths(db: Db): Set<string> {
  const wanted = new Set<string>();
  for (const r of stmt<{ drvpath: string }>(db, 'SELECT drvpath FROM builds WHERE finished = 0').all())
    wanted.add(r.drvpath);
  for (const r of stmt<{ path: string }>(
    db,
    'SELECT o.path FROM builds b JOIN build_outputs o ON o.build_id = b.id WHERE b.keep = 1',
  ).all())
    wanted.add(r.path);
  const jobsets = stmt<{ id: number; keepnr: number }>(
    db,
    'SELECT id, keepnr FROM jobsets WHERE keepnr > 0 AND NOT (enabled = 0 AND hidden = 1)',
  ).all();
  const evals = stmt<{ id: number }>(
    db,
    'SELECT id FROM jobset_evals WHERE jobset_id = ? AND hasnewbuilds = 1 ORDER BY id DESC LIMIT ?',
  );
  const outputs = stmt<{ path: string }>(
    db,
    `SELECT o.path FROM jobset_eval_members m JOIN builds b ON b.id = m.build_id
      JOIN build_outputs o ON o.build_id = b.id
                      WHERE m.eval_id = ? AND b.finished = 1 AND b.buildstatus IN (${sqlList(STATUSES_WITH_OUTPUTS)})`,
  );
  for (const j of jobsets) {
    for (const e of evals.all(j.id, j.keepnr)) {
      for (const r of outputs.all(e.id)) wanted.add(r.path);
    }
  }
  return wanted;
}
