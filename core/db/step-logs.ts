import type { Db } from './database.ts';
import { BuildStatus } from '../model/status.ts';
import { stmt } from './database.ts';

/**
 * The log of the step that last built this derivation successfully, in any build: what a
 * build that found its outputs already valid shows, marked cached, as on Hydra.
 */
export function logOfStepThatBuilt(
  db: Db,
  drvPath: string,
): { buildId: number; stepnr: number; logfile: string } | undefined {
  return stmt<{ buildId: number; stepnr: number; logfile: string }>(
    db,
    `SELECT build_id AS buildId, stepnr, logfile FROM build_steps
    WHERE drvpath = ? AND busy = 0 AND status = ${BuildStatus.Success} AND logfile IS NOT NULL
    ORDER BY stoptime DESC LIMIT 1`,
  ).get(drvPath);
}
