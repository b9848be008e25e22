import { stmt, type Db } from './database.ts';

/** The newest build of a derivation, for "dependency failed" pages linking to the build that really failed. */
export function latestBuildOfDrv(db: Db, drvpath: string): number | undefined {
  return (stmt(db, 'SELECT id FROM builds WHERE drvpath = ? ORDER BY id DESC LIMIT 1').get(drvpath) as { id: number } | undefined)?.id;
}

/** An aggregate's constituents, by job name as Hydra lists them (Build.pm constituents: order_by job). */
export function constituentIds(db: Db, aggregateId: number): number[] {
  return (stmt(db, `SELECT c.constituent FROM aggregate_constituents c JOIN builds b ON b.id = c.constituent
                    WHERE c.aggregate = ? ORDER BY b.job, b.id`).all(aggregateId) as { constituent: number }[]).map((r) => r.constituent);
}
