import { stmt, type Db } from './database.ts';

/** The newest build of a derivation, for "dependency failed" pages linking to the build that really failed. */
export function latestBuildOfDrv(db: Db, drvpath: string): number | undefined {
  return (stmt(db, 'SELECT id FROM builds WHERE drvpath = ? ORDER BY id DESC LIMIT 1').get(drvpath) as { id: number } | undefined)?.id;
}

export function constituentIds(db: Db, aggregateId: number): number[] {
  return (stmt(db, 'SELECT constituent FROM aggregate_constituents WHERE aggregate = ? ORDER BY constituent').all(aggregateId) as { constituent: number }[]).map((r) => r.constituent);
}
