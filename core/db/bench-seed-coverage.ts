import type { CoverageRecord } from '../coverage/build-coverage.ts';
import { recordCoverage } from './coverage.ts';
import { stmt, writeTransaction, type Db } from './database.ts';

/** bench/coverage: one finished build in a fresh database holding `coverage`. Returns its id. */
export function seedCoverageBuild(db: Db, coverage: CoverageRecord): number {
  return writeTransaction(db, () => {
    stmt(
      db,
      `INSERT INTO projects (name, displayname, description, owner)
        VALUES ('cov', 'Coverage bench', 'bench data', 'bench')`,
    ).run();
    const { id: jobsetId } = stmt<{ id: number }>(
      db,
      `INSERT INTO jobsets (project, name, description, nixexprinput, nixexprpath)
        VALUES ('cov', 'main', 'bench', 'src', 'release.nix') RETURNING id`,
    ).get()!;
    const { id } = stmt<{ id: number }>(
      db,
      `INSERT INTO builds (finished, timestamp, jobset_id, job, nixname, drvpath, system, starttime, stoptime,
                          buildstatus, iscachedbuild)
        VALUES (1, 0, ?, 'report', 'report', '/nix/store/00000000000000000000000000000000-report.drv',
                'x86_64-linux', 0, 1, 0, 0) RETURNING id`,
    ).get(jobsetId)!;
    recordCoverage(db, id, coverage);
    return id;
  });
}
