import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readConfig } from '../../core/config.ts';
import { openDatabase, type Db } from '../../core/db/database.ts';
import { migrate } from '../../core/db/migrate.ts';
import { createLogger } from '../../core/log.ts';
import type { Nix } from '../../core/nix/nix.ts';
import { createEvaluator, type Evaluator } from '../../evaluator/index.ts';
import { syncSpecDir } from '../../evaluator/sync-specs.ts';
import { pathRulesOf } from '../../core/jobset-specs/path-rules.ts';
import { GitRepo } from './git-repo.ts';
import { tempDir } from './temp.ts';

/** An evaluator on a fresh database and spec directory, driven by runOnce(). */
export interface EvaluatorFixture {
  dir: string;
  specDir: string;
  db: Db;
  evaluator: Evaluator;
  writeSpec(project: string, spec: unknown): void;
  /** Syncs the spec directory now, as the evaluator does when it changes. */
  sync(): void;
}

export function evaluatorFixture(extraArgs: string[] = [], nix?: Nix): EvaluatorFixture {
  const dir = tempDir();
  const specDir = join(dir, 'jobsets');
  mkdirSync(specDir);
  // Local repositories and path inputs of tests live in the temp dir: allowed, as an admin would allow them.
  const { config } = readConfig([
    '--state-dir',
    join(dir, 'state'),
    '--jobsets',
    specDir,
    '--gc-roots-dir',
    join(dir, 'gcroots'),
    '--allowed-paths',
    dir,
    ...extraArgs,
  ]);
  const db = openDatabase(config.dbPath);
  migrate(db);
  const log = createLogger('silent');
  const evaluator = createEvaluator(config, { log, db, nix });
  return {
    dir,
    specDir,
    db,
    evaluator,
    sync: () => syncSpecDir(db, specDir, log, pathRulesOf(config)),
    writeSpec(project, spec) {
      writeFileSync(join(specDir, `${project}.json`), typeof spec === 'string' ? spec : JSON.stringify(spec, null, 2));
    },
  };
}

/**
 * A release.nix whose derivations are unique to this test run (a nonce in each), so no
 * result comes from another run's /nix/store. `jobs` is the body of the attribute set;
 * `job NAME` makes a derivation that succeeds.
 */
export function releaseNix(jobs: string, nonce: string = randomUUID()): string {
  return `{ src ? null, ... }@args:
let job = name: derivation { inherit name; system = builtins.currentSystem; builder = "/bin/sh";
  args = [ "-c" "echo ${nonce} > $out" ]; PATH = "/usr/bin:/bin"; };
in { ${jobs} }`;
}

/** A git repository holding release.nix, for a jobset's `src` input; commit() keeps the nonce. */
export class ReleaseRepo extends GitRepo {
  readonly nonce = randomUUID();

  constructor(dir: string, jobs: string) {
    super(dir);
    this.commitJobs(jobs);
  }

  commitJobs(jobs: string): string {
    return this.write('release.nix', releaseNix(jobs, this.nonce)).commit('jobs');
  }
}

/** A jobset spec (Hydra's keys) evaluating release.nix from a git repository. */
export function gitJobset(repoDir: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    nixexprinput: 'src',
    nixexprpath: 'release.nix',
    checkinterval: 0,
    inputs: { src: { type: 'git', value: repoDir } },
    ...extra,
  };
}
