import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readConfig, type Config } from '../../core/config.ts';
import { openDatabase, type Db } from '../../core/db/database.ts';
import { registerEvaluation } from '../../core/db/evals.ts';
import { upsertJobsetFromSpec } from '../../core/db/jobsets.ts';
import { migrate } from '../../core/db/migrate.ts';
import { upsertProject } from '../../core/db/projects.ts';
import { createLogger } from '../../core/log.ts';
import { CliNix } from '../../core/nix/cli-nix.ts';
import { tempDir } from './temp.ts';
import { evalBuildIds } from './db.ts';

/**
 * A state dir with a migrated database and a project whose jobsets are queued from Nix
 * expressions by the real evaluator's code path (nix-instantiate + registerEvaluation), so
 * queue-runner tests start from rows exactly like the evaluator's.
 */
export class QueueFixture {
  readonly dir = tempDir('hydrant-queue-');
  readonly stateDir: string;
  /** Not under /nix/var/nix/gcroots: the links are checked, Nix does not honour them. */
  readonly gcRootsDir = join(this.dir, 'gcroots');
  readonly db: Db;
  readonly nix = new CliNix();
  readonly log = createLogger(process.env.HYDRANT_LOG_LEVEL ?? 'warn');
  /** Makes this run's derivations unique in the shared /nix/store. */
  readonly nonce = randomBytes(6).toString('hex');
  private exprCount = 0;

  /** `stateDir`: somewhere else than the temp dir, e.g. a small tmpfs. */
  constructor(options: { stateDir?: string } = {}) {
    this.stateDir = options.stateDir ?? join(this.dir, 'state');
    mkdirSync(this.stateDir, { recursive: true });
    this.db = openDatabase(join(this.stateDir, 'hydrant.sqlite'));
    migrate(this.db);
    upsertProject(this.db, {
      name: 'p',
      displayname: 'p',
      description: '',
      homepage: '',
      enabled: true,
      hidden: false,
      owner: '',
      spec_source: '',
    });
  }

  config(args: string[] = []): Config {
    return readConfig(
      [
        '--state-dir',
        this.stateDir,
        '--gc-roots-dir',
        this.gcRootsDir,
        '--retry-interval',
        '0',
        '--unsupported-wait',
        '0',
        ...args,
      ],
      {},
    ).config;
  }

  jobset(name: string, shares = 100): number {
    return upsertJobsetFromSpec(
      this.db,
      'p',
      {
        name,
        enabled: 1,
        hidden: false,
        description: '',
        nixexprinput: 'src',
        nixexprpath: 'release.nix',
        checkinterval: 0,
        schedulingshares: shares,
        enableemail: false,
        emailoverride: '',
        keepnr: 3,
        inputs: [],
      },
      '',
    );
  }

  /**
   * Queues the jobs of `body`, a Nix attribute set that may use `job name script` (a
   * /bin/sh derivation for this system, unique to this run), `jobWith name attrs script` and
   * `withMeta { timeout = 1; } drv`.
   * Returns build ids by job name.
   */
  async queue(body: string, jobsetName = 'main'): Promise<Record<string, number>> {
    const jobsetId = this.jobset(jobsetName);
    const file = join(this.dir, `release-${++this.exprCount}.nix`);
    writeFileSync(
      file,
      `{ }: let
      nonce = "${this.nonce}";
      jobWith = name: attrs: script: derivation ({
        inherit name; system = builtins.currentSystem; builder = "/bin/sh"; PATH = "/usr/bin:/bin";
        args = [ "-c" ("# " + nonce + "\\n" + script) ];
      } // attrs);
      job = name: script: jobWith name { } script;
      withMeta = meta: drv: drv // { inherit meta; };
    in ${body}`,
    );
    const result = await this.nix.evaluateJobs({ exprPath: file, args: {} });
    if (result.errors.length) throw new Error(`fixture jobs failed to evaluate: ${JSON.stringify(result.errors)}`);
    const { evalId } = registerEvaluation(this.db, {
      jobsetId,
      inputsHash: `${this.nonce}-${this.exprCount}`,
      checkoutSeconds: 0,
      evalSeconds: 0,
      nixexprinput: 'src',
      nixexprpath: file,
      inputs: [],
      jobs: result.jobs,
      errors: [],
    });
    return evalBuildIds(this.db, evalId);
  }
}
