// A real web server on a random port over a real, migrated database in a temp dir, filled
// through the same write paths the evaluator and queue runner use.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { readConfig } from '../../core/config.ts';
import { getBuild } from '../../core/db/builds.ts';
import { evalBuilds, evaluatedJob, finishStepAndBuild } from './db.ts';
import { openDatabase, type Db } from '../../core/db/database.ts';
import { registerEvaluation } from '../../core/db/evals.ts';
import { upsertJobsetFromSpec } from '../../core/db/jobsets.ts';
import { migrate } from '../../core/db/migrate.ts';
import { upsertProject } from '../../core/db/projects.ts';
import { startStep } from '../../core/db/steps.ts';
import type { ProductRecord } from '../../core/db/build-results.ts';
import { addProjectMember, saveUser } from '../../core/db/users.ts';
import { createLogger } from '../../core/log.ts';
import { hashPassword } from '../../core/password.ts';
import { createWebServer, type WebServer } from '../../server/index.ts';

export interface WebFixture {
  url: string;
  db: Db;
  stateDir: string;
  server: WebServer;
  stop(): Promise<void>;
}

export async function startWebFixture(extraArgs: string[] = []): Promise<WebFixture> {
  // Not tempDir(): its after() hook, registered from a before() hook, would run too early.
  const dir = mkdtempSync(join(tmpdir(), 'hydrant-web-'));
  const stateDir = join(dir, 'state');
  const { config } = readConfig(
    ['--state-dir', stateDir, '--port', '0', '--gc-roots-dir', join(stateDir, 'gcroots'), ...extraArgs],
    {},
  );
  const db = openDatabase(config.dbPath);
  migrate(db);
  const server = createWebServer(config, { log: createLogger('silent'), db });
  await server.start();
  return {
    url: server.url(),
    db,
    stateDir,
    server,
    stop: async () => {
      await server.stop();
      db.close();
      if (!process.env.HYDRANT_KEEP_TEMP) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function addProject(
  db: Db,
  name: string,
  extra: { owner?: string; displayname?: string; description?: string; private?: boolean } = {},
): void {
  upsertProject(db, {
    name,
    displayname: extra.displayname ?? name,
    description: extra.description ?? '',
    homepage: '',
    enabled: true,
    hidden: false,
    private: extra.private ?? false,
    owner: extra.owner ?? '',
    spec_source: '',
    declarative: null,
  });
}

export function addJobset(db: Db, project: string, name: string, repoUrl = 'https://example.invalid/repo.git'): number {
  return upsertJobsetFromSpec(
    db,
    project,
    {
      name,
      enabled: 1,
      hidden: false,
      description: `jobset ${name}`,
      nixexprinput: 'src',
      nixexprpath: 'release.nix',
      checkinterval: 300,
      schedulingshares: 100,
      enableemail: false,
      emailoverride: '',
      keepnr: 3,
      inputs: [{ name: 'src', type: 'git', value: `${repoUrl} main`, emailresponsible: false }],
    },
    '',
  );
}

const nonce = Math.random().toString(36).slice(2, 10);

/**
 * An evaluation of the given jobs; a job's derivation is named by `drv` so two evaluations can share a build,
 * and `out` names a real store path as its output.
 */
export function addEval(
  db: Db,
  jobsetId: number,
  jobs: { name: string; drv?: string; system?: string; out?: string }[],
  errors: { name: string; error: string }[] = [],
): { evalId: number; buildIds: Record<string, number> } {
  const { evalId } = registerEvaluation(db, {
    jobsetId,
    inputsHash: `${nonce}-${Math.random()}`,
    checkoutSeconds: 1,
    evalSeconds: 2,
    nixexprinput: 'src',
    nixexprpath: 'release.nix',
    inputs: [
      {
        name: 'src',
        type: 'git',
        uri: 'https://example.invalid/repo.git',
        revision: 'abc123',
        value: null,
        path: null,
        dependency: null,
      },
    ],
    jobs: jobs.map((j) => {
      const drv = j.drv ?? `${j.name}-${nonce}`;
      return evaluatedJob(j.name, `/nix/store/${nonce}-${drv}.drv`, {
        system: j.system ?? 'x86_64-linux',
        out: j.out ?? `/nix/store/${nonce}-${drv}`,
      });
    }),
    errors,
  });
  return { evalId, buildIds: Object.fromEntries(evalBuilds(db, evalId).map((b) => [b.job, b.id])) };
}

/** Runs one step of a build the way the queue runner records it: a log file, then the result. */
export function runStep(
  db: Db,
  stateDir: string,
  buildId: number,
  opts: {
    log: string;
    status?: number;
    finish?: boolean;
    drvPath?: string;
    products?: ProductRecord[];
    machine?: string;
  },
): number {
  const drv = opts.drvPath ?? getBuild(db, buildId)!.drvpath;
  const stepnr = startStep(db, {
    buildId,
    drvPath: drv,
    machine: opts.machine ?? 'localhost',
    system: 'x86_64-linux',
    logfileFor: (n) => `logs/${buildId}/${n}.log`,
  });
  const logPath = join(stateDir, `logs/${buildId}/${stepnr}.log`);
  mkdirSync(dirname(logPath), { recursive: true });
  writeFileSync(logPath, opts.log);
  if (opts.finish === false) return stepnr;
  const status = opts.status ?? 0;
  const at = Math.floor(Date.now() / 1000);
  finishStepAndBuild(
    db,
    buildId,
    { stepnr, result: { status, errormsg: status ? 'builder failed with exit code 1' : null, outputs: {} } },
    {
      status,
      isCachedBuild: false,
      startTime: at - 30,
      stopTime: at,
      size: null,
      closureSize: null,
      releaseName: null,
      products: opts.products ?? [],
      metrics: [{ name: 'tests.count', value: 42, unit: null }],
    },
  );
  return stepnr;
}

export async function addUser(
  db: Db,
  username: string,
  password: string,
  roles: string[] = [],
  memberOf: string[] = [],
): Promise<void> {
  saveUser(db, { username, passwordHash: await hashPassword(password), roles });
  for (const p of memberOf) addProjectMember(db, p, username);
}

/** Logs in through the JSON API as a Hydra client does; returns the cookie header to send. */
export async function login(url: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${url}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', Origin: url },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  return (res.headers.get('set-cookie') ?? '').split(';')[0]!;
}
