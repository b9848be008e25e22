import { stmt, type Db } from './database.ts';

/** The newest build of a derivation, for "dependency failed" pages linking to the build that really failed. */
export function latestBuildOfDrv(db: Db, drvpath: string): number | undefined {
  return stmt<{ id: number }>(db, 'SELECT id FROM builds WHERE drvpath = ? ORDER BY id DESC LIMIT 1').get(drvpath)?.id;
}
