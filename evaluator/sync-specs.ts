import { statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../core/db/database.ts';
import { writeTransaction } from '../core/db/database.ts';
import { retireProjectsNotIn, setProjectSpecError, upsertProject } from '../core/db/projects.ts';
import { retireJobsetsNotIn, setJobsetSpecError, upsertJobsetFromSpec } from '../core/db/jobsets.ts';
import type { Logger } from '../core/log.ts';
import type { PathRules } from '../core/jobset-specs/path-rules.ts';
import { readSpecDir } from '../core/jobset-specs/read-dir.ts';
import { declJobsetSpec, declSpecSource } from './declarative.ts';

/**
 * Brings the database in line with the spec files in dir: projects and jobsets created or
 * updated, jobsets no longer declared disabled and hidden (their history stays). A broken
 * file or jobset is recorded with its error and logged; it never stops the others.
 */
export function syncSpecDir(db: Db, dir: string, log: Logger, paths: PathRules): void {
  const results = readSpecDir(dir, paths);
  writeTransaction(db, () => {
    for (const r of results) {
      if (!r.ok) {
        log.error({ file: r.file }, r.error);
        setProjectSpecError(db, r.project, r.file, r.error);
        continue;
      }
      upsertProject(db, { ...r.spec, spec_source: r.file });
      const declared = r.spec.declarative ? [declJobsetSpec(r.spec.declarative)] : [];
      // A project that stops being declarative retires the jobsets its declfile declared.
      if (!r.spec.declarative) retireJobsetsNotIn(db, r.project, declSpecSource(r.file), []);
      for (const jobset of [...r.spec.jobsets, ...declared]) upsertJobsetFromSpec(db, r.project, jobset, r.file);
      for (const bad of r.spec.invalidJobsets) {
        log.error({ file: r.file, jobset: `${r.project}:${bad.name}` }, bad.error);
        setJobsetSpecError(db, r.project, bad.name, r.file, bad.error);
      }
      retireJobsetsNotIn(
        db,
        r.project,
        r.file,
        [...r.spec.jobsets, ...declared, ...r.spec.invalidJobsets].map((j) => j.name),
      );
    }
    retireProjectsNotIn(
      db,
      dir.endsWith('/') ? dir : dir + '/',
      results.map((r) => r.project),
    );
  });
}

/** A cheap fingerprint of the spec files (names, sizes, mtimes), to re-sync only on change. */
export function specDirFingerprint(dir: string): string {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => {
        // One broken entry (a dangling symlink) must not hide changes to the others.
        try {
          const s = statSync(join(dir, f));
          return `${f}:${s.size}:${s.mtimeMs}`;
        } catch {
          return `${f}:unreadable`;
        }
      })
      .join('|');
  } catch {
    return 'unreadable';
  }
}
