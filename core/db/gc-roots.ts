import { TimeSlice } from '../time-slice.ts';
import { openDatabase, stmt, type Db } from './database.ts';
import { sqlList, STATUSES_WITH_OUTPUTS } from '../model/status.ts';

/**
 * The store paths hydrant keeps from the garbage collector, as Hydra's
 * hydra-update-gc-roots does: the .drv files of builds still queued (the queue runner
 * builds from them); the outputs of builds marked "keep"; and the outputs of the
 * successful builds (0, 6) of each jobset's newest `keepnr` evaluations that had new
 * builds. A retired jobset (disabled and hidden, as when removed from its spec) keeps
 * only what is marked "keep".
 *
 * Read a slice at a time: at 10 million builds (100,000 queued, 200 jobsets keeping three
 * evaluations each) this is 307,000 paths and 0.7–1.9 s of reading, during which a queue
 * runner reading on its own thread dispatched nothing. The read goes through a connection
 * of its own, in one read transaction (the same snapshot a single statement would see),
 * and gives the event loop a turn every `sliceMs`. An in-memory database has no second
 * connection: it is read at once.
 */
export async function wantedStorePaths(db: Db, sliceMs = 5): Promise<Set<string>> {
  if (db.memory) return new Set(wantedPaths(db));
  const snapshot = openDatabase(db.name, { readonly: true });
  try {
    snapshot.exec('BEGIN');
    const wanted = new Set<string>();
    const slice = new TimeSlice(sliceMs);
    for (const path of wantedPaths(snapshot)) {
      wanted.add(path);
      if (slice.due()) await slice.pause();
    }
    snapshot.exec('COMMIT');
    return wanted;
  } finally {
    snapshot.close();
  }
}

/** The paths, row by row; one statement is open at a time (the connection allows no other while one iterates). */
function* wantedPaths(db: Db): Generator<string> {
  for (const r of stmt<{ drvpath: string }>(db, 'SELECT drvpath FROM builds WHERE finished = 0').iterate())
    yield r.drvpath;
  for (const r of stmt<{ path: string }>(
    db,
    'SELECT o.path FROM builds b JOIN build_outputs o ON o.build_id = b.id WHERE b.keep = 1',
  ).iterate())
    yield r.path;
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
      for (const r of outputs.iterate(e.id)) yield r.path;
    }
  }
}
