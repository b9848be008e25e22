// The nixos/trunk jobset of the bundled VM tests, evaluated and built through hydrant's
// real roles in a temp state dir, as tests/jobsets/vm-tests.test.ts does it; here on a copy
// of jobsets/ that a test may change between evaluations (a new commit, as a user pushes).
import { randomUUID } from 'node:crypto';
import { appendFileSync, cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getJobset, triggerEvaluation } from '../../core/db/jobsets.ts';
import { PACKAGE_ROOT } from '../../core/paths.ts';
import { createEvaluator } from '../../evaluator/index.ts';
import { createQueueRunner } from '../../queue-runner/index.ts';
import { createWebServer, type WebServer } from '../../server/index.ts';
import { evalBuildIds, newestEvalId } from './db.ts';
import { inProcess } from './roles.ts';
import { tempDir } from './temp.ts';

const kernelDir = process.env.HYDRANT_VM_KERNEL_DIR ?? '/var/lib/hydrant/vm-kernel';
export const vmSkip = existsSync(join(kernelDir, 'vmlinuz'))
  ? false
  : `no VM kernel in ${kernelDir}: run scripts/setup-vm.sh`;

export class VmJobset {
  readonly dir = tempDir();
  /** The copy of jobsets/ the jobset's `src` input points at. */
  readonly src = join(this.dir, 'src');
  private readonly specs = join(this.dir, 'jobsets');
  readonly roles;
  server!: WebServer;

  constructor() {
    cpSync(join(PACKAGE_ROOT, 'jobsets'), this.src, { recursive: true, filter: (p) => !/\/result[^/]*$/.test(p) });
    // Derivations of this run only: tests/jobsets/vm-tests.test.ts deletes the outputs of the
    // bundled jobs (to boot real VMs) and may run at the same time as a test using this.
    appendFileSync(join(this.src, 'lib', 'driver', 'run-test.mjs'), `// test run ${randomUUID()}\n`);
    mkdirSync(this.specs);
    const jobset = {
      nixexprinput: 'src',
      nixexprpath: 'nixos/release.nix',
      checkinterval: 3600,
      inputs: { src: { type: 'path', value: this.src } },
    };
    writeFileSync(join(this.specs, 'nixos.json'), JSON.stringify({ jobsets: { trunk: jobset } }));
    this.roles = inProcess(join(this.dir, 'state'), ['--jobsets', this.specs, '--allowed-paths', this.dir]);
  }

  /** Evaluates the jobset (at once the first time, then as a push would) and builds everything queued. */
  async evaluateAndBuild(): Promise<void> {
    const { config, db, log } = this.roles;
    // The first time the jobset is not in the database yet: a new jobset is evaluated at once.
    const jobset = getJobset(db, 'nixos', 'trunk');
    if (jobset) triggerEvaluation(db, jobset.id);
    const evaluator = createEvaluator(config, { log, db });
    await evaluator.runOnce();
    await evaluator.stop();
    const runner = createQueueRunner(config, { log, db });
    await runner.runOnce();
    await runner.stop();
  }

  async startServer(): Promise<string> {
    this.server = createWebServer(this.roles.config, { log: this.roles.log, db: this.roles.db });
    await this.server.start();
    return this.server.url();
  }

  /** Build ids of the newest evaluation by job name, and its id. */
  latestEval(): { evalId: number; builds: Record<string, number> } {
    const { db } = this.roles;
    const evalId = newestEvalId(db)!;
    return { evalId, builds: evalBuildIds(db, evalId) };
  }
}
