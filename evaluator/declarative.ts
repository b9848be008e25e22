import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeTransaction, type Db } from '../core/db/database.ts';
import { retireJobsetsNotIn, setJobsetSpecError, upsertJobsetFromSpec } from '../core/db/jobsets.ts';
import type { Logger } from '../core/log.ts';
import type { JobsetRow } from '../core/model/rows.ts';
import type { PathRules } from '../core/jobset-specs/path-rules.ts';
import type { JobsetSpec, ProjectSpec } from '../core/jobset-specs/types.ts';
import { parseDeclfile, SpecError } from '../core/jobset-specs/validate.ts';
import { InputError } from './fetch-inputs.ts';

/**
 * Hydra's name for the jobset that polls a declarative project's input. Spec names may not
 * start with a dot, so it never collides with a declared jobset.
 */
export const DECL_JOBSET = '.jobsets';
const DECL_INPUT = 'declInput';
/** How often the declfile's input is polled; an unchanged revision costs one git fetch. */
const DECL_CHECK_INTERVAL = 60;

/** Where the declared jobsets of the project in specFile come from (jobsets.spec_source). */
export function declSpecSource(specFile: string): string {
  return `${specFile}#declfile`;
}

/** The hidden `.jobsets` jobset whose check re-reads the declfile at each new revision. */
export function declJobsetSpec(decl: NonNullable<ProjectSpec['declarative']>): JobsetSpec {
  return {
    name: DECL_JOBSET,
    enabled: 1,
    hidden: true,
    description: `Jobsets declared in ${decl.file}`,
    nixexprinput: DECL_INPUT,
    nixexprpath: decl.file,
    checkinterval: DECL_CHECK_INTERVAL,
    schedulingshares: 100,
    enableemail: false,
    emailoverride: '',
    keepnr: 0,
    inputs: [{ name: DECL_INPUT, type: decl.type, value: decl.value, emailresponsible: false }],
  };
}

/**
 * Reads the declfile from a new revision of the declarative input and brings the
 * project's jobsets in line with it, as sync-specs does for spec files. A file that cannot
 * be read changes nothing (InputError, shown on the `.jobsets` jobset).
 */
export function syncDeclfile(db: Db, decl: JobsetRow, checkout: string, log: Logger, paths: PathRules): number {
  const file = join(checkout, decl.nixexprpath ?? '');
  if (!existsSync(file))
    throw new InputError(`declfile ${decl.nixexprpath} does not exist in input "${decl.nixexprinput}"`);
  let parsed;
  try {
    parsed = parseDeclfile(readFileSync(file, 'utf8'), `${decl.project}: declfile ${decl.nixexprpath}`, { paths });
  } catch (e) {
    if (e instanceof SpecError) throw new InputError(e.message);
    throw e;
  }
  const source = declSpecSource(decl.spec_source);
  writeTransaction(db, () => {
    for (const jobset of parsed.jobsets) upsertJobsetFromSpec(db, decl.project, jobset, source);
    for (const bad of parsed.invalidJobsets) {
      log.error({ jobset: `${decl.project}:${bad.name}` }, bad.error);
      setJobsetSpecError(db, decl.project, bad.name, source, bad.error);
    }
    retireJobsetsNotIn(
      db,
      decl.project,
      source,
      [...parsed.jobsets, ...parsed.invalidJobsets].map((j) => j.name),
    );
  });
  return parsed.jobsets.length;
}
