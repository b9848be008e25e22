// Garbage-collector roots, as Hydra keeps them: queued builds' .drv files, outputs of the
// newest `keepnr` evaluations, and builds marked "keep". Real nix, real git, and once a
// real collection attempt against a root directory Nix honours.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, test } from 'node:test';
import { readConfig } from '../../core/config.ts';
import { buildOutputs } from '../../core/db/builds.ts';
import { evalBuilds } from '../helpers/db.ts';
import { listEvals } from '../../core/db/evals.ts';
import { getJobset, triggerEvaluation } from '../../core/db/jobsets.ts';
import { GcRoots } from '../../core/gc-roots.ts';
import type { Db } from '../../core/db/database.ts';
import { CliNix } from '../../core/nix/cli-nix.ts';
import type { EvalRequest } from '../../core/nix/nix.ts';
import { createLogger } from '../../core/log.ts';
import { optionFlags } from '../../core/nix/options.ts';
import { createQueueRunner } from '../../queue-runner/index.ts';
import { updateGcRoots } from '../../queue-runner/update-gc-roots.ts';
import { evaluatorFixture, gitJobset, ReleaseRepo } from '../helpers/evaluator-fixture.ts';
import { tempDir } from '../helpers/temp.ts';
import { setBuildKeep } from '../../core/db/commands-requests.ts';
import Database from 'better-sqlite3';
import { openDatabase } from '../../core/db/database.ts';
import { migrate } from '../../core/db/migrate.ts';
import { seedBigDatabase } from '../../core/db/bench-seed.ts';
import { wantedStorePaths } from '../../core/db/gc-roots.ts';

test(`queued .drv files are rooted at once; outputs of the newest keepnr evaluations and kept builds stay rooted; \
the rest is let go`, async () => {
  const f = evaluatorFixture();
  const rootsDir = join(f.dir, 'gcroots');
  const roots = new GcRoots(rootsDir);
  const repo = new ReleaseRepo(join(f.dir, 'repo'), 'a = job "a"; b = job "b";');
  f.writeSpec('p', { jobsets: { main: gitJobset(repo.dir, { keepnr: 1 }) } });
  f.sync();
  const jobsetId = getJobset(f.db, 'p', 'main')!.id;
  const evaluate = async () => {
    triggerEvaluation(f.db, jobsetId);
    assert.equal((await f.evaluator.runOnce())[0]?.kind, 'evaluated');
    return evalBuilds(f.db, listEvals(f.db, jobsetId, 1)[0]!.id);
  };
  const outputOf = (buildId: number) => buildOutputs(f.db, buildId)[0]!.path;
  const rooted = () => new Set(roots.list());

  const first = await evaluate();
  for (const b of first) {
    assert.ok(rooted().has(b.drvpath), `${b.job}'s .drv is rooted as soon as it is queued`);
    const root = lstatSync(join(rootsDir, b.drvpath.slice('/nix/store/'.length)));
    assert.ok(root.isFile() && root.size === 0, "an empty file named after the path, as Hydra's registerRoot writes");
  }
  const { config } = readConfig(['--state-dir', join(f.dir, 'state'), '--gc-roots-dir', rootsDir], {});
  const runner = createQueueRunner(config, { db: f.db, log: createLogger('silent') });
  await runner.runOnce();
  for (const b of first) assert.ok(rooted().has(outputOf(b.id)), `${b.job}'s output is rooted as soon as it is built`);

  await updateGcRoots(f.db, roots);
  for (const b of first) assert.ok(!rooted().has(b.drvpath), 'built: its .drv is let go');
  for (const b of first) assert.ok(rooted().has(outputOf(b.id)), 'the newest evaluation keeps its outputs');

  // A new revision changes both jobs; keepnr 1 keeps only the newest evaluation, and "keep".
  setBuildKeep(f.db, first.find((b) => b.job === 'a')!.id, true);
  repo.commitJobs('a = job "a2"; b = job "b2";');
  const second = await evaluate();
  await runner.runOnce();
  await runner.stop();
  await updateGcRoots(f.db, roots);
  const now = rooted();
  assert.ok(now.has(outputOf(first.find((b) => b.job === 'a')!.id)), 'a build marked keep stays');
  assert.ok(!now.has(outputOf(first.find((b) => b.job === 'b')!.id)), 'an older evaluation is let go');
  for (const b of second) assert.ok(now.has(outputOf(b.id)), `the newest evaluation's ${b.job} stays`);
  assert.equal(now.size, 3);
});

test('a roots directory that cannot be written is reported once and never fails the caller', () => {
  const file = join(tempDir(), 'not-a-directory');
  writeFileSync(file, '');
  const warnings: string[] = [];
  const roots = new GcRoots(join(file, 'gcroots'), (m) => warnings.push(m));
  assert.equal(roots.add(['/nix/store/00000000000000000000000000000000-x']), 0);
  assert.equal(roots.add(['/nix/store/00000000000000000000000000000000-y']), 0);
  assert.equal(warnings.length, 1);
  assert.match(
    warnings[0]!,
    /cannot write garbage-collector roots to .*not-a-directory.*nix-collect-garbage may delete/,
  );
});

test('a symlink root an earlier version made is pruned like a file root', async () => {
  const dir = tempDir();
  const roots = new GcRoots(dir);
  symlinkSync('/nix/store/00000000000000000000000000000000-old', join(dir, '00000000000000000000000000000000-old'));
  roots.add(['/nix/store/00000000000000000000000000000000-new']);
  assert.deepEqual(roots.list().sort(), [
    '/nix/store/00000000000000000000000000000000-new',
    '/nix/store/00000000000000000000000000000000-old',
  ]);
  assert.equal(await roots.prune(new Set(), Date.now() + 1000), 2);
  assert.deepEqual(roots.list(), []);
});

test('a root made while the database was being read survives the update that did not see it', async () => {
  const roots = new GcRoots(tempDir());
  const since = Date.now() - 60_000;
  roots.add(['/nix/store/00000000000000000000000000000000-new']);
  assert.equal(await roots.prune(new Set(), since), 0);
  assert.equal(await roots.prune(new Set(), Date.now() + 1000), 1);
});

test(`roots made before their builds were registered are renewed: an update that read the database \
before the registration leaves them, and one it removed is made again`, async () => {
  const dir = tempDir();
  const roots = new GcRoots(dir);
  const [kept, removed] = ['kept', 'removed'].map((n) => `/nix/store/00000000000000000000000000000000-${n}.drv`);
  roots.add([kept!, removed!]);
  const minuteAgo = new Date(Date.now() - 60_000); // made while Nix wrote the .drv files, a minute ago
  for (const p of [kept!, removed!]) utimesSync(join(dir, basename(p)), minuteAgo, minuteAgo);
  const since = Date.now() - 30_000; // an update that began reading the database after they were made
  assert.equal(await roots.prune(new Set([kept!]), since), 1, 'the update did not see `removed` registered yet');
  roots.renew([kept!, removed!]);
  assert.deepEqual(roots.list().sort(), [kept, removed]);
  assert.equal(await roots.prune(new Set(), since), 0, 'renewed after the update began: left to the next one');
});

test(`an update of the roots marks when it began, before it reads the database; the mark is neither a root \
nor pruned, and a new directory says no update has begun`, async () => {
  const dir = tempDir();
  const roots = new GcRoots(join(dir, 'gcroots'));
  assert.equal(roots.updatedSince(Date.now()), true, 'no directory yet: cannot be told');
  roots.add(['/nix/store/00000000000000000000000000000000-x']);
  assert.equal(roots.updatedSince(Date.now() - 60_000), false, 'no update has begun since the directory was made');
  const before = Date.now();
  roots.markUpdate();
  assert.equal(roots.updatedSince(before), true);
  assert.equal(roots.updatedSince(Date.now() + 60_000), false, 'an update that began before `since`');
  assert.equal(await roots.prune(new Set(), Date.now() + 60_000), 1, 'only the root went');
  assert.deepEqual(roots.list(), []);
  assert.equal(roots.updatedSince(before), true, 'the mark stays');
  const f = evaluatorFixture();
  const marked = new GcRoots(join(f.dir, 'gcroots'));
  marked.add(['/nix/store/00000000000000000000000000000000-y']);
  const began = Date.now();
  await updateGcRoots(f.db, marked);
  assert.equal(marked.updatedSince(began), true, 'updateGcRoots marks');
});

test(`a first evaluation's roots, made while Nix still writes, survive an update that ran before its builds were \
registered`, async () => {
  const cli = new CliNix();
  const at: { rootsDir: string; db?: Db } = { rootsDir: '' };
  const nix = Object.assign(Object.create(cli) as CliNix, {
    evaluateJobs: (r: EvalRequest) =>
      (async () => {
        // Made a minute ago, then an update that does not see the builds yet (not registered).
        let update: Promise<unknown> = Promise.resolve();
        let evaluated: readonly { drvPath: string }[] = [];
        const result = await cli.evaluateJobs({
          ...r,
          onJobs: (jobs) => {
            r.onJobs?.(jobs);
            const minuteAgo = new Date(Date.now() - 60_000);
            for (const j of jobs) utimesSync(join(at.rootsDir, basename(j.drvPath)), minuteAgo, minuteAgo);
            update = updateGcRoots(at.db!, new GcRoots(at.rootsDir));
            evaluated = jobs;
          },
        });
        await update;
        for (const j of evaluated) assert.ok(!existsSync(join(at.rootsDir, basename(j.drvPath))), 'pruned meanwhile');
        return result;
      })(),
  });
  const f = evaluatorFixture([], nix);
  at.rootsDir = join(f.dir, 'gcroots');
  at.db = f.db;
  const repo = new ReleaseRepo(join(f.dir, 'repo'), 'a = job "a"; b = job "b";');
  f.writeSpec('p', { jobsets: { main: gitJobset(repo.dir) } });
  f.sync();
  triggerEvaluation(f.db, getJobset(f.db, 'p', 'main')!.id);
  assert.equal((await f.evaluator.runOnce())[0]?.kind, 'evaluated');
  const builds = evalBuilds(f.db, listEvals(f.db, getJobset(f.db, 'p', 'main')!.id, 1)[0]!.id);
  assert.equal(builds.length, 2);
  for (const b of builds) assert.ok(existsSync(join(at.rootsDir, basename(b.drvpath))), `${b.job} is rooted again`);
});

test(`roots are one empty file and hard links to it, across calls, until an update of the roots begins; \
then a new file`, async () => {
  const dir = join(tempDir(), 'gcroots');
  const roots = new GcRoots(dir);
  const [first, ...paths] = ['first', 'a', 'b', 'c'].map((n) => `/nix/store/00000000000000000000000000000000-${n}.drv`);
  assert.equal(roots.add([first!]), 1);
  assert.equal(roots.add([first!, paths[0]!]), 1, 'a later call links to the file the first one made');
  roots.markUpdate();
  assert.equal(roots.add(paths), 2);
  const ino = (p: string) => lstatSync(join(dir, basename(p))).ino;
  assert.equal(ino(paths[0]!), ino(first!));
  assert.equal(lstatSync(join(dir, basename(first!))).nlink, 2);
  const [, b, c] = paths.map((p) => lstatSync(join(dir, basename(p))));
  assert.ok(b!.isFile() && b!.size === 0 && b!.ino === c!.ino && b!.nlink === 2);
  assert.notEqual(b!.ino, ino(first!), 'not linked to a root older than the update (pruning goes by its time)');
  assert.deepEqual(readdirSync(dir).sort(), ['.update-began', ...[first!, ...paths].map((p) => basename(p))].sort());
  assert.equal(roots.add(paths), 0, 'rooted already');
  assert.equal(await roots.prune(new Set([first!]), Date.now() + 1000), 3);
  assert.deepEqual(roots.list(), [first]);
});

test('a root whose file to link to was pruned meanwhile is a new file', async () => {
  const dir = join(tempDir(), 'gcroots');
  const roots = new GcRoots(dir);
  const [x, y] = ['x', 'y'].map((n) => `/nix/store/00000000000000000000000000000000-${n}.drv`);
  assert.equal(roots.add([x!]), 1);
  assert.equal(await roots.prune(new Set(), Date.now() + 1000), 1);
  assert.equal(roots.add([y!]), 1);
  assert.deepEqual(roots.list(), [y]);
  assert.equal(lstatSync(join(dir, basename(y!))).nlink, 1);
});

test('a call of more roots than a file may have links (65,000 on ext4) roots every one', () => {
  const dir = join(tempDir(), 'gcroots');
  const paths = Array.from({ length: 70_000 }, (_, i) => `/nix/store/${String(i).padStart(32, '0')}-big-${i}.drv`);
  assert.equal(new GcRoots(dir).add(paths), paths.length);
  assert.equal(readdirSync(dir).length, paths.length + 1, 'every path and the update mark');
  rmSync(dir, { recursive: true, force: true });
});

// Under /nix/var/nix/gcroots, so Nix honours these roots; removed afterwards.
const realRootsDir = `/nix/var/nix/gcroots/hydrant-test-${process.pid}-${Date.now()}`;
after(() => rmSync(realRootsDir, { recursive: true, force: true }));

test('Nix honours the roots: a rooted path cannot be deleted, an unrooted one can', async () => {
  const file = join(tempDir(), `gc-root-probe-${process.pid}-${Date.now()}`);
  writeFileSync(file, `unique ${Math.random()}\n`);
  const path = spawnSync('nix-store', ['--add', file, ...optionFlags()], { encoding: 'utf8' }).stdout.trim();
  assert.match(path, /^\/nix\/store\//);
  const roots = new GcRoots(realRootsDir);
  roots.add([path]);
  const refused = spawnSync('nix-store', ['--delete', path, ...optionFlags()], { encoding: 'utf8' });
  assert.notEqual(refused.status, 0, 'rooted: the collector refuses');
  assert.match(refused.stderr, /alive/);
  assert.ok(existsSync(path));
  await roots.prune(new Set(), Date.now() + 1000);
  const deleted = spawnSync('nix-store', ['--delete', path, ...optionFlags()], { encoding: 'utf8' });
  assert.equal(deleted.status, 0, deleted.stderr);
  assert.ok(!existsSync(path));
});

test('pruning thousands of roots leaves the event loop turning (the queue runner dispatches meanwhile)', async () => {
  const dir = join(tempDir(), 'gcroots');
  const roots = new GcRoots(dir);
  roots.add(Array.from({ length: 3000 }, (_, i) => `/nix/store/${String(i).padStart(32, '0')}-old-${i}.drv`));
  let done = false;
  let turns = 0;
  const turn = () => {
    turns++;
    if (!done) setImmediate(turn);
  };
  setImmediate(turn);
  assert.equal(await roots.prune(new Set(), Date.now() + 1000), 3000);
  done = true;
  assert.ok(turns >= 10, `the loop turned ${turns} times while 3,000 roots were removed`);
  assert.deepEqual(roots.list(), []);
});

test(`reading what is wanted at scale leaves the event loop turning, from one snapshot on a connection of its own, \
and an update roots and then keeps exactly that`, async () => {
  const db = openDatabase(join(tempDir(), 'hydrant.sqlite'));
  migrate(db);
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  // 31,000 builds: 7,000 queued (the newest evaluations), the older evaluations' outputs kept (keepnr 3).
  seedBigDatabase(
    db,
    { jobsets: 2, bigJobs: 10_000, bigEvals: 4, bigRebuilt: 2000, smallJobs: 5000, smallEvals: 3 },
    random,
  );
  db.pragma('journal_mode = DELETE'); // an image of a WAL database does not open in memory
  const image = db.serialize();
  db.pragma('journal_mode = WAL');
  const atOnce = await wantedStorePaths(new Database(image), 1); // in memory: read in one go
  assert.ok(atOnce.size > 25_000, `${atOnce.size} paths wanted`);

  let turns = 0;
  let reading = true;
  const turn = () => {
    turns++;
    if (reading) setImmediate(turn);
  };
  setImmediate(turn);
  const read = wantedStorePaths(db, 1);
  // Written while the read is under way: not seen by it, as a single statement would not see it.
  setImmediate(() => setBuildKeep(db, 1, true));
  const sliced = await read;
  reading = false;
  assert.ok(turns >= 10, `the loop turned ${turns} times while ${sliced.size} paths were read`);
  assert.deepEqual(sliced, atOnce);

  const roots = new GcRoots(join(tempDir(), 'gcroots'));
  const wantedNow = await wantedStorePaths(db);
  assert.deepEqual(await updateGcRoots(db, roots), { added: wantedNow.size, removed: 0 });
  assert.deepEqual(new Set(roots.list()), wantedNow);
  const stale = '/nix/store/00000000000000000000000000000000-stale';
  roots.add([stale]);
  const minuteAgo = new Date(Date.now() - 60_000);
  utimesSync(join(roots.dir, basename(stale)), minuteAgo, minuteAgo);
  assert.deepEqual(await updateGcRoots(db, roots), { added: 0, removed: 1 }, 'only the root nothing wants goes');
  assert.deepEqual(new Set(roots.list()), wantedNow);
  db.close();
});
