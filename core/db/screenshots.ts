import { BuildStatus } from '../model/status.ts';
import { stmt, type Db } from './database.ts';

/** A PNG product as recorded (and compared) when its build was recorded. */
export interface ScreenshotRecord {
  productnr: number;
  file: string;
  name: string;
  width: number | null;
  height: number | null;
  error: string | null;
  previousBuildId: number | null;
  previousProductnr: number | null;
  previousFile: string | null;
  changedPixels: number | null;
  totalPixels: number | null;
  diffPng: Buffer | null;
}

/** Called inside the transaction that records the build. */
export function recordScreenshots(db: Db, buildId: number, shots: readonly ScreenshotRecord[]): void {
  stmt(db, 'DELETE FROM build_screenshots WHERE build_id = ?').run(buildId);
  const insert = stmt(
    db,
    `INSERT INTO build_screenshots (build_id, productnr, file, name, width, height, error, previous_build_id,
      previous_productnr, previous_file, changed_pixels, total_pixels, diff_png)
                           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const s of shots) {
    insert.run(
      buildId,
      s.productnr,
      s.file,
      s.name,
      s.width,
      s.height,
      s.error,
      s.previousBuildId,
      s.previousProductnr,
      s.previousFile,
      s.changedPixels,
      s.totalPixels,
      s.diffPng,
    );
  }
}

export type ScreenshotRow = Omit<ScreenshotRecord, 'diffPng'> & { buildId: number; hasDiff: number };

const COLUMNS = `s.build_id AS buildId, s.productnr, s.file, s.name, s.width, s.height, s.error,
                 s.previous_build_id AS previousBuildId, s.previous_productnr AS previousProductnr,
                 s.previous_file AS previousFile, s.changed_pixels AS changedPixels,
                 s.total_pixels AS totalPixels, s.diff_png IS NOT NULL AS hasDiff`;

export function buildScreenshots(db: Db, buildId: number): ScreenshotRow[] {
  return stmt<ScreenshotRow>(
    db,
    `SELECT ${COLUMNS} FROM build_screenshots s WHERE s.build_id = ? ORDER BY s.productnr, s.file`,
  ).all(buildId);
}

/** The screenshots of a job's newest `limit` builds that have any, newest first. */
export function jobScreenshots(db: Db, jobsetId: number, job: string, limit: number): ScreenshotRow[] {
  return stmt<ScreenshotRow>(
    db,
    `SELECT ${COLUMNS}
                   FROM build_screenshots s WHERE s.build_id IN (
                     SELECT b.id FROM builds b WHERE b.jobset_id = ? AND b.job = ?
                     AND EXISTS (SELECT 1 FROM build_screenshots x WHERE x.build_id = b.id) ORDER BY b.id DESC LIMIT ?)
                   ORDER BY s.build_id DESC, s.productnr, s.file`,
  ).all(jobsetId, job, limit);
}

export function screenshotDiff(db: Db, buildId: number, productnr: number, file: string): Buffer | undefined {
  const row = stmt<{ diff_png: Buffer | null }>(
    db,
    'SELECT diff_png FROM build_screenshots WHERE build_id = ? AND productnr = ? AND file = ?',
  ).get(buildId, productnr, file);
  return row?.diff_png ?? undefined;
}

/** The job's newest successful build before `buildId`: what a new screenshot is compared with. */
export function previousSuccessfulBuild(db: Db, jobsetId: number, job: string, buildId: number): number | undefined {
  const row = stmt<{ id: number }>(
    db,
    `SELECT id FROM builds WHERE jobset_id = ? AND job = ? AND id < ? AND finished = 1
      AND buildstatus = ${BuildStatus.Success} ORDER BY id DESC LIMIT 1`,
  ).get(jobsetId, job, buildId);
  return row?.id;
}
