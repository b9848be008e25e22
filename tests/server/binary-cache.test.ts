// The binary cache as Hydra serves one (Hydra: src/lib/Hydra/Controller/Root.pm nix_cache_info,
// narinfo, nar; src/lib/Hydra/View/NARInfo.pm and NixNAR.pm), with real Nix as the client:
// a second store substitutes a job's output and its closure from hydrant, checks the
// signature made with a key from `nix-store --generate-binary-cache-key`, and refuses a
// narinfo signed by a key it does not trust. Private projects' outputs are not served.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { readConfig } from '../../core/config.ts';
import { evalBuilds, evaluatedJob, setProjectPrivate } from '../helpers/db.ts';
import { registerEvaluation } from '../../core/db/evals.ts';
import { createLogger } from '../../core/log.ts';
import { openLocalStore } from '../../core/nix/local-store.ts';
import { optionFlags, nixEnv } from '../../core/nix/options.ts';
import { runProgram } from '../../core/nix/run.ts';
import { nixBase32, parseSecretKey } from '../../core/nix/signing.ts';
import { createWebServer } from '../../server/index.ts';
import { tempDir } from '../helpers/temp.ts';
import {
  addJobset,
  addProject,
  addUser,
  login,
  runStep,
  startWebFixture,
  type WebFixture,
} from '../helpers/web-fixture.ts';

const dir = tempDir('hydrant-cache-');
const nonce = randomUUID().slice(0, 8);
let w: WebFixture;
let publicKey = '';
const paths: Record<string, { drv: string; out: string }> = {};

async function nix(command: string, args: string[]): Promise<string> {
  const r = await runProgram(command, args, { env: nixEnv(), timeoutSeconds: 120 });
  assert.equal(r.code, 0, `${command} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

async function generateKey(name: string): Promise<{ secret: string; public: string }> {
  const secret = join(dir, `${name}.sec`);
  const pub = join(dir, `${name}.pub`);
  await nix('nix-store', ['--generate-binary-cache-key', name, secret, pub]);
  return { secret, public: readFileSync(pub, 'utf8').trim() };
}

/** Builds `name` with real Nix; `dep`, if given, becomes a reference of its output. */
async function realDerivation(name: string, dep?: string): Promise<void> {
  const script = dep ? `read -r line < ${'${dep}'}; echo "$line ${'${dep}'}" > $out` : `echo ${name} ${nonce} > $out`;
  const expr = `let dep = ${dep ? `builtins.storePath "${paths[dep]!.out}"` : 'null'}; in derivation {
    name = "${name}-${nonce}"; system = builtins.currentSystem; builder = "/bin/sh";
    args = [ "-c" ${JSON.stringify(script)} ]; }`;
  const drv = await nix('nix-instantiate', [...optionFlags(), '-E', expr]);
  await nix('nix-store', [...optionFlags(), '-r', drv, '--add-root', join(dir, `${name}.root`), '--indirect']);
  const out = await nix('nix-store', ['-q', '--outputs', drv]);
  paths[name] = { drv, out };
}

/** Records the built derivation as job `job` of a new evaluation, finished with `status`. */
function recordBuild(jobsetId: number, job: string, name: string, status = 0): number {
  const { drv, out } = paths[name]!;
  const { evalId } = registerEvaluation(w.db, {
    jobsetId,
    inputsHash: `${nonce}-${job}`,
    checkoutSeconds: 1,
    evalSeconds: 1,
    nixexprinput: 'src',
    nixexprpath: 'release.nix',
    inputs: [],
    errors: [],
    jobs: [evaluatedJob(job, drv, { nixName: name, out })],
  });
  const buildId = evalBuilds(w.db, evalId)[0]!.id;
  runStep(w.db, w.stateDir, buildId, { log: 'built\n', status });
  return buildId;
}

/** A fresh chroot store fetching `path` from hydrant, unable to build anything itself. */
function substitute(path: string, trustedKey: string, cacheUrl = w.url) {
  const store = join(dir, `client-${randomUUID().slice(0, 6)}`);
  const args = [
    '--store',
    store,
    '-r',
    path,
    '--max-jobs',
    '0',
    ...optionFlags({ substituters: cacheUrl, 'trusted-public-keys': trustedKey }),
  ];
  return { store, result: runProgram('nix-store', args, { env: nixEnv(), timeoutSeconds: 120 }) };
}

const hashOf = (path: string) => basename(path).slice(0, 32);

before(async () => {
  const key = await generateKey(`hydrant-test-${nonce}`);
  publicKey = key.public;
  w = await startWebFixture(['--binary-cache-secret-key-file', key.secret]);
  await realDerivation('lib');
  await realDerivation('app', 'lib');
  await realDerivation('secret-lib');
  await realDerivation('secret', 'secret-lib');
  await realDerivation('broken');
  addProject(w.db, 'pub');
  recordBuild(addJobset(w.db, 'pub', 'main'), 'app', 'app');
  recordBuild(addJobset(w.db, 'pub', 'failing'), 'broken', 'broken', 1);
  addProject(w.db, 'hush', { owner: 'ada' });
  setProjectPrivate(w.db, 'hush', true);
  recordBuild(addJobset(w.db, 'hush', 'main'), 'secret', 'secret');
  await addUser(w.db, 'ada', 'pw-ada-123', [], ['hush']);
});
after(async () => w?.stop());

test("nix-cache-info answers as Hydra's does", async () => {
  const res = await fetch(`${w.url}/nix-cache-info`);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), 'StoreDir: /nix/store\nWantMassQuery: 0\nPriority: 100\n');
});

test('a narinfo names the xz NAR, the references and the deriver, and carries a signature Nix checks', async () => {
  const { out, drv } = paths.app!;
  const res = await fetch(`${w.url}/${hashOf(out)}.narinfo`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/x-nix-narinfo/);
  const text = await res.text();
  const fields = Object.fromEntries(
    text
      .trim()
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]),
  );
  assert.equal(fields.StorePath, out);
  assert.equal(fields.URL, `nar/${basename(out)}`);
  assert.equal(fields.Compression, 'xz');
  assert.equal(fields.NarHash, await nix('nix-store', ['-q', '--hash', out]));
  assert.equal(fields.References, basename(paths.lib!.out));
  assert.equal(fields.Deriver, basename(drv));
  assert.match(fields.Sig ?? '', new RegExp(`^hydrant-test-${nonce}:[A-Za-z0-9+/]{86}==$`));
});

test("a second Nix store fetches a job's output with its closure from the cache", async () => {
  const { store, result } = substitute(paths.app!.out, publicKey);
  const r = await result;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(join(store, paths.app!.out), 'utf8'), `lib ${nonce} ${paths.lib!.out}\n`);
  assert.ok(existsSync(join(store, paths.lib!.out)), 'the dependency came along');
});

test('Nix refuses a narinfo whose signature does not match the key it trusts', async () => {
  // An impostor server on the same database, signing with a key of the same name but other secret.
  const impostorKey = await generateKey(`hydrant-test-${nonce}`);
  const { config } = readConfig(
    ['--state-dir', w.stateDir, '--port', '0', '--binary-cache-secret-key-file', impostorKey.secret],
    {},
  );
  const impostor = createWebServer(config, { log: createLogger('silent'), db: w.db });
  await impostor.start();
  try {
    const narinfo = await (await fetch(`${impostor.url()}/${hashOf(paths.app!.out)}.narinfo`)).text();
    assert.match(narinfo, new RegExp(`\nSig: hydrant-test-${nonce}:`), 'signed under the trusted name');
    const { store, result } = substitute(paths.app!.out, publicKey, impostor.url());
    const r = await result;
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /is not signed by any of the keys in 'trusted-public-keys'/);
    assert.ok(!existsSync(join(store, paths.app!.out)));
  } finally {
    await impostor.stop();
  }
});

test("a NAR streams xz-compressed and unpacks to the store path's NAR", async () => {
  const res = await fetch(`${w.url}/nar/${basename(paths.lib!.out)}`);
  assert.equal(res.status, 200);
  const xz = Buffer.from(await res.arrayBuffer());
  assert.deepEqual(xz.subarray(0, 6), Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), 'an xz stream');
  const nar = spawnSync('xz', ['-d', '-c'], { input: xz, maxBuffer: 1 << 20 }).stdout;
  assert.equal(
    `sha256:${nixBase32(createHash('sha256').update(nar).digest())}`,
    await nix('nix-store', ['-q', '--hash', paths.lib!.out]),
  );
});

test('outputs of failed builds and of paths no build produced are not served', async () => {
  for (const hash of [hashOf(paths.broken!.out), hashOf(paths.broken!.drv), '0'.repeat(32)]) {
    const res = await fetch(`${w.url}/${hash}.narinfo`);
    assert.equal(res.status, 404, hash);
    assert.equal(await res.text(), 'does not exist\n');
  }
  assert.equal((await fetch(`${w.url}/nar/${basename(paths.broken!.out)}`)).status, 404);
});

test("a private project's outputs and their closure are served only to its members", async () => {
  for (const name of ['secret', 'secret-lib']) {
    const hash = hashOf(paths[name]!.out);
    assert.equal((await fetch(`${w.url}/${hash}.narinfo`)).status, 404, `${name} anonymously`);
    assert.equal((await fetch(`${w.url}/nar/${basename(paths[name]!.out)}`)).status, 404, `${name} nar anonymously`);
  }
  const cookie = await login(w.url, 'ada', 'pw-ada-123');
  const res = await fetch(`${w.url}/${hashOf(paths['secret-lib']!.out)}.narinfo`, { headers: { cookie } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('cache-control') ?? '', /^private/);
});

test("hashes are written in Nix's base-32, as nix-store -q --hash prints them", async () => {
  const store = openLocalStore();
  try {
    const out = paths.lib!.out;
    assert.equal(store.pathFromHashPart(hashOf(out)), out);
    assert.equal(store.info(out)!.narHash, await nix('nix-store', ['-q', '--hash', out]));
    assert.equal(nixBase32(Buffer.alloc(32)), '0'.repeat(52));
  } finally {
    store.close();
  }
});

test('a malformed secret key is refused with a message that says what the key must be', () => {
  assert.throws(() => parseSecretKey('no-colon-here'), /NAME:BASE64 of 64 bytes/);
  assert.throws(() => parseSecretKey('name:AAAA'), /generate-binary-cache-key/);
});
