import type { CoverageRecord } from '../coverage/build-coverage.ts';
import type { Totals } from '../coverage/tracefile.ts';
import { stmt, type Db } from './database.ts';

/** Writes a build's merged coverage; called inside the transaction that records the build. */
export function recordCoverage(db: Db, buildId: number, c: CoverageRecord): void {
  stmt(db, 'DELETE FROM build_coverage_files WHERE build_id = ?').run(buildId);
  stmt(db, 'DELETE FROM build_coverage_data WHERE build_id = ?').run(buildId);
  const t = c.totals;
  stmt(
    db,
    `INSERT OR REPLACE INTO build_coverage (build_id, tracefiles, lines_found, lines_hit, functions_found,
      functions_hit, branches_found, branches_hit, problems)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    buildId,
    c.tracefiles,
    t.linesFound,
    t.linesHit,
    t.functionsFound,
    t.functionsHit,
    t.branchesFound,
    t.branchesHit,
    JSON.stringify(c.problems),
  );
  const insert = stmt(
    db,
    `INSERT INTO build_coverage_files (build_id, path, display, directory, outside, lines_found, lines_hit,
      functions_found, functions_hit, branches_found, branches_hit)
                           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertData = stmt(db, 'INSERT INTO build_coverage_data (build_id, path, data) VALUES (?, ?, ?)');
  for (const f of c.files) {
    const x = f.totals;
    insert.run(
      buildId,
      f.path,
      f.display,
      f.directory,
      f.outside ? 1 : 0,
      x.linesFound,
      x.linesHit,
      x.functionsFound,
      x.functionsHit,
      x.branchesFound,
      x.branchesHit,
    );
    insertData.run(buildId, f.path, f.data);
  }
}

export interface CoverageSummary extends Totals {
  buildId: number;
  tracefiles: number;
  problems: string[];
}

const TOTALS = `lines_found AS linesFound, lines_hit AS linesHit, functions_found AS functionsFound,
                functions_hit AS functionsHit, branches_found AS branchesFound, branches_hit AS branchesHit`;

const FILE_TOTALS = `f.lines_found AS linesFound, f.lines_hit AS linesHit, f.functions_found AS functionsFound,
                     f.functions_hit AS functionsHit, f.branches_found AS branchesFound, f.branches_hit AS branchesHit`;

export function coverageSummary(db: Db, buildId: number): CoverageSummary | undefined {
  const row = stmt<Omit<CoverageSummary, 'problems'> & { problems: string }>(
    db,
    `SELECT build_id AS buildId, tracefiles, problems, ${TOTALS} FROM build_coverage WHERE build_id = ?`,
  ).get(buildId);
  if (!row) return undefined;
  const problems: string[] = JSON.parse(row.problems);
  return { ...row, problems };
}

export interface CoverageFileRow extends Totals {
  path: string;
  display: string;
  directory: string;
  outside: number;
}

/** Every file's totals, without the per-line data (the directory table). */
export function coverageFiles(db: Db, buildId: number): CoverageFileRow[] {
  return stmt<CoverageFileRow>(
    db,
    `SELECT path, display, directory, outside, ${TOTALS} FROM build_coverage_files WHERE build_id = ? ORDER BY display`,
  ).all(buildId);
}

export interface CoverageFileData extends CoverageFileRow {
  data: Buffer;
}

/** The files shown under one display path (several SF: paths may read the same once stripped). */
export function coverageFileData(db: Db, buildId: number, display: string): CoverageFileData[] {
  return stmt<CoverageFileData>(
    db,
    `SELECT f.path, display, directory, outside, d.data, ${FILE_TOTALS} FROM build_coverage_files f
                   JOIN build_coverage_data d ON d.build_id = f.build_id AND d.path = f.path
                   WHERE f.build_id = ? AND f.display = ? ORDER BY f.path`,
  ).all(buildId, display);
}

/** Every file with its data, for merging several builds (an evaluation, a comparison). */
export function coverageFilesWithData(db: Db, buildId: number): CoverageFileData[] {
  return stmt<CoverageFileData>(
    db,
    `SELECT f.path, display, directory, outside, d.data, ${FILE_TOTALS} FROM build_coverage_files f
                   JOIN build_coverage_data d ON d.build_id = f.build_id AND d.path = f.path
                   WHERE f.build_id = ? ORDER BY f.path`,
  ).all(buildId);
}

export interface JobCoveragePoint extends Totals {
  buildId: number;
  stoptime: number | null;
}

/** The newest `limit` builds of a job that recorded coverage, newest first. */
export function jobCoverageHistory(db: Db, jobsetId: number, job: string, limit: number): JobCoveragePoint[] {
  return stmt<JobCoveragePoint>(
    db,
    `SELECT b.id AS buildId, b.stoptime, ${FILE_TOTALS}
                   FROM builds b JOIN build_coverage f ON f.build_id = b.id
                   WHERE b.jobset_id = ? AND b.job = ? ORDER BY b.id DESC LIMIT ?`,
  ).all(jobsetId, job, limit);
}

/** Builds of an evaluation that recorded coverage. */
export function evalCoverageBuilds(db: Db, evalId: number): { buildId: number; job: string }[] {
  return stmt<{ buildId: number; job: string }>(
    db,
    `SELECT b.id AS buildId, b.job FROM jobset_eval_members m JOIN builds b ON b.id = m.build_id
                   JOIN build_coverage c ON c.build_id = b.id WHERE m.eval_id = ? ORDER BY b.job`,
  ).all(evalId);
}

/** Whether any build of an evaluation recorded coverage (the evaluation page links its coverage then). */
export function evalHasCoverage(db: Db, evalId: number): boolean {
  return (
    stmt<{ yes: number }>(
      db,
      `SELECT EXISTS (SELECT 1 FROM jobset_eval_members m JOIN build_coverage c ON c.build_id = m.build_id
        WHERE m.eval_id = ?) AS yes`,
    ).get(evalId)!.yes === 1
  );
}
