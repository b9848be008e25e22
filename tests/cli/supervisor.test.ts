// `hydrant start` runs one OS process per role: kill -9 of any role leaves the others
// running and the role comes back (the restart is logged with its reason); a write lock
// another process holds on the database never stalls the web server; SIGTERM stops all.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openDatabase } from '../../core/db/database.ts';
import { allBuilds, holdWriteLock } from '../helpers/db.ts';
import { HydrantProcess } from '../helpers/hydrant-process.ts';
import { tempDir } from '../helpers/temp.ts';
import { waitFor } from '../helpers/wait.ts';

const dir = tempDir();
const jobsets = join(dir, 'jobsets');
const dbPath = join(dir, 'state', 'hydrant.sqlite');
const ROLES = ['evaluator', 'queue-runner', 'notifier', 'server'];
let hydrant: HydrantProcess;

/** The newest process id the supervisor logged for each role. */
function rolePids(): Record<string, number> {
  const pids: Record<string, number> = {};
  for (const m of hydrant.logs().matchAll(/"role":"([a-z-]+)","child":(\d+),"msg":"[a-z-]+ started"/g))
    pids[m[1]!] = Number(m[2]);
  return pids;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function homeAnswersWithin(ms: number): Promise<void> {
  const started = Date.now();
  const res = await fetch(`${hydrant.url}/`, { signal: AbortSignal.timeout(10_000) });
  assert.equal(res.status, 200);
  await res.text();
  const took = Date.now() - started;
  assert.ok(took < ms, `/ answered in ${took} ms`);
}

before(async () => {
  mkdirSync(join(jobsets, 'src'), { recursive: true });
  writeFileSync(
    join(jobsets, 'src', 'release.nix'),
    `{ ok = derivation {
    name = "supervised-${randomUUID()}"; system = builtins.currentSystem; builder = "/bin/sh";
    args = [ "-c" "echo built; echo > $out" ];
  }; }`,
  );
  writeFileSync(
    join(jobsets, 'p.json'),
    JSON.stringify({
      jobsets: { j: { nixexprinput: 'src', checkinterval: 1, inputs: { src: { type: 'path', value: './src' } } } },
    }),
  );
  hydrant = await new HydrantProcess([
    'start',
    '--state-dir',
    join(dir, 'state'),
    '--gc-roots-dir',
    join(dir, 'gcroots'),
    '--port',
    '0',
    '--jobsets',
    jobsets,
    '--eval-tick',
    '1',
  ]).start();
});
after(async () => {
  await hydrant?.stop('SIGKILL');
});

test('each role runs in a process of its own', async () => {
  const pids = await waitFor('a process per role', () => Object.keys(rolePids()).length === ROLES.length && rolePids());
  assert.deepEqual(Object.keys(pids).sort(), [...ROLES].sort());
  assert.equal(new Set(Object.values(pids)).size, ROLES.length);
  for (const pid of Object.values(pids)) assert.ok(alive(pid));
  const db = openDatabase(dbPath, { readonly: true });
  await waitFor('the build to finish', () => allBuilds(db).some((b) => b.finished === 1), 60);
  db.close();
});

for (const role of ROLES) {
  test(`kill -9 of the ${role} leaves the other roles running, \
and it is restarted with the reason logged`, async () => {
    const before = rolePids();
    process.kill(before[role]!, 'SIGKILL');
    await waitFor(`the ${role} to be restarted`, () => rolePids()[role] !== before[role], 30);
    assert.match(hydrant.logs(), new RegExp(`"msg":"${role} killed by SIGKILL; restarting in \\d+ s"`));
    for (const other of ROLES.filter((r) => r !== role)) {
      assert.equal(rolePids()[other], before[other], `${other} was not restarted`);
      assert.ok(alive(before[other]!), `${other} still runs`);
    }
    if (role === 'server')
      await waitFor('the server to listen again', () => hydrant.logs().split('web server listening').length > 2, 30);
    await homeAnswersWithin(5000);
  });
}

test('a write lock held by another process for 12 s never stalls the web server', async () => {
  // The other process is this one: hydrant's roles run in processes of their own.
  const db = openDatabase(dbPath);
  const release = holdWriteLock(db);
  let answered = 0;
  try {
    const until = Date.now() + 12_000;
    while (Date.now() < until) {
      await homeAnswersWithin(1000);
      answered++;
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    release();
    db.close();
  }
  assert.ok(answered >= 10);
});

test('SIGTERM stops every role cleanly, also when every process gets it (as from a service manager)', async () => {
  const pids = Object.values(rolePids());
  const stopped = hydrant.stop('SIGTERM');
  for (const pid of pids) process.kill(pid, 'SIGTERM');
  assert.equal(await stopped, 0);
  for (const pid of pids) assert.ok(!alive(pid), `role process ${pid} is gone`);
  assert.match(hydrant.logs(), /"msg":"stopped"/);
  assert.doesNotMatch(hydrant.logs(), /did not stop within/);
});

test('roles whose supervisor is killed with -9 stop on their own', async () => {
  hydrant = await new HydrantProcess([
    'start',
    '--state-dir',
    join(dir, 'state'),
    '--gc-roots-dir',
    join(dir, 'gcroots'),
    '--port',
    '0',
    '--jobsets',
    jobsets,
  ]).start();
  const pids = Object.values(
    await waitFor('a process per role', () => Object.keys(rolePids()).length === ROLES.length && rolePids()),
  );
  await hydrant.stop('SIGKILL');
  await waitFor('every role process to end', () => pids.every((pid) => !alive(pid)), 30);
});
