// Hydra's channels, with real Nix reading them: …/channel/latest/nixexprs.tar.bz2 of a jobset
// (Hydra: src/lib/Hydra/Base/Controller/NixChannel.pm, View/NixExprs.pm; the same check as
// Hydra's t/Hydra/Controller/Jobset/channel.t: nix-env lists the nested jobs), and the
// custom channel redirect to a "channel" product (src/lib/Hydra/Controller/Channel.pm).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { evalBuilds, evaluatedJob } from '../helpers/db.ts';
import { registerEvaluation } from '../../core/db/evals.ts';
import { nixEnv, optionFlags } from '../../core/nix/options.ts';
import { runProgram } from '../../core/nix/run.ts';
import { tempDir } from '../helpers/temp.ts';
import { addJobset, addProject, runStep, startWebFixture, type WebFixture } from '../helpers/web-fixture.ts';

const dir = tempDir('hydrant-channel-');
const nonce = randomUUID().slice(0, 8);
let w: WebFixture;
let jobsetId = 0;
const ids: Record<string, number> = {};

const nixBuildProduct = (path: string) => ({
  type: 'nix-build',
  subtype: '',
  path,
  name: 'x',
  defaultpath: '',
  filesize: null,
  sha256hash: null,
});

/** One evaluation of `jobs` (job name → nix name), each a real derivation built by Nix. */
async function evaluate(jobs: Record<string, string>): Promise<void> {
  const built = await Promise.all(
    Object.entries(jobs).map(async ([job, name]) => {
      const expr =
        `derivation { name = "${name}"; system = builtins.currentSystem; builder = "/bin/sh"; ` +
        `args = [ "-c" "echo ${nonce} > $out" ]; }`;
      const drv = (
        await runProgram('nix-instantiate', [...optionFlags(), '-E', expr], { env: nixEnv() })
      ).stdout.trim();
      const r = await runProgram(
        'nix-store',
        [...optionFlags(), '-r', drv, '--add-root', join(dir, `${name}.root`), '--indirect'],
        { env: nixEnv() },
      );
      assert.equal(r.code, 0, r.stderr);
      return {
        job,
        name,
        drv,
        out: execFileSync('nix-store', ['-q', '--outputs', drv], { encoding: 'utf8', env: nixEnv() }).trim(),
      };
    }),
  );
  const { evalId } = registerEvaluation(w.db, {
    jobsetId,
    inputsHash: `${nonce}-${Object.keys(jobs).join()}`,
    checkoutSeconds: 1,
    evalSeconds: 1,
    nixexprinput: 'src',
    nixexprpath: 'release.nix',
    inputs: [],
    errors: [],
    jobs: built.map((b) =>
      evaluatedJob(b.job, b.drv, { nixName: b.name, out: b.out, description: `the ${b.job} "job"` }),
    ),
  });
  for (const b of evalBuilds(w.db, evalId)) ids[b.job] = b.id;
}

before(async () => {
  w = await startWebFixture();
  addProject(w.db, 'tests');
  jobsetId = addJobset(w.db, 'tests', 'nested');
  await evaluate({
    'packageset-nested': `actually-top-level-${nonce}`,
    'packageset.nested': `actually-nested-${nonce}`,
    'packageset.deeper.deeper.nested': `deep-${nonce}`,
    broken: `broken-${nonce}`,
    noproduct: `noproduct-${nonce}`,
  });
  for (const job of ['packageset-nested', 'packageset.nested', 'packageset.deeper.deeper.nested']) {
    runStep(w.db, w.stateDir, ids[job]!, { log: 'ok\n', products: [nixBuildProduct(`/nix/store/${job}`)] });
  }
  runStep(w.db, w.stateDir, ids.broken!, { log: 'no\n', status: 1, products: [nixBuildProduct('/nix/store/broken')] });
  runStep(w.db, w.stateDir, ids.noproduct!, {
    log: 'ok\n',
    products: [{ ...nixBuildProduct('/nix/store/n'), type: 'doc' }],
  });
});
after(() => w.stop());

test(`nixexprs.tar.bz2 unpacks to a channel that nix-env reads, \
with the nested jobs and only successful nix-build ones`, async () => {
  const res = await fetch(`${w.url}/jobset/tests/nested/channel/latest/nixexprs.tar.bz2`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /application\/x-bzip2/);
  const unpack = join(dir, 'unpacked');
  execFileSync('mkdir', ['-p', unpack]);
  execFileSync('tar', ['-xjf', '-', '-C', unpack], { input: Buffer.from(await res.arrayBuffer()) });
  assert.equal(
    execFileSync('cat', [join(unpack, 'channel/channel-name')], { encoding: 'utf8' }),
    'tests-nested-latest',
  );
  const r = await runProgram(
    'nix-env',
    [
      '--json',
      '--query',
      '--available',
      '--attr-path',
      '--file',
      join(unpack, 'channel/default.nix'),
      ...optionFlags(),
    ],
    { env: nixEnv() },
  );
  assert.equal(r.code, 0, r.stderr);
  const packages = JSON.parse(r.stdout) as Record<string, { name: string }>;
  assert.deepEqual(Object.keys(packages).sort(), [
    'packageset-nested',
    'packageset.deeper.deeper.nested',
    'packageset.nested',
  ]);
  assert.equal(packages['packageset-nested']!.name, `actually-top-level-${nonce}`);
  assert.equal(packages['packageset.nested']!.name, `actually-nested-${nonce}`);
});

test("the xz variant, a job's own channel and the binary-cache URL", async () => {
  const xz = await fetch(`${w.url}/jobset/tests/nested/channel/latest/nixexprs.tar.xz`);
  assert.equal(xz.status, 200);
  const listing = execFileSync('tar', ['-tJf', '-'], { input: Buffer.from(await xz.arrayBuffer()), encoding: 'utf8' });
  assert.equal(listing, 'channel/channel-name\nchannel/default.nix\n');
  const job = await fetch(`${w.url}/job/tests/nested/packageset.nested/channel/latest`, {
    headers: { Accept: 'application/json' },
  });
  assert.deepEqual(
    ((await job.json()) as { packages: { job: string }[] }).packages.map((p) => p.job),
    ['packageset.nested'],
  );
  assert.equal(await (await fetch(`${w.url}/jobset/tests/nested/channel/latest/binary-cache-url`)).text(), `${w.url}/`);
  assert.equal((await fetch(`${w.url}/jobset/tests/nested/channel/latest/nixexprs.zip`)).status, 404);
});

test("a custom channel redirects to the newest successful build's channel product", async () => {
  await evaluate({ nixpkgs: `nixpkgs-${nonce}` });
  runStep(w.db, w.stateDir, ids.nixpkgs!, {
    log: 'ok\n',
    products: [
      {
        type: 'channel',
        subtype: '',
        path: '/nix/store/x',
        name: 'nixexprs.tar.xz',
        defaultpath: '',
        filesize: 1,
        sha256hash: null,
      },
    ],
  });
  const res = await fetch(`${w.url}/channel/custom/tests/nested/nixpkgs/nixexprs.tar.xz`, { redirect: 'manual' });
  assert.equal(res.status, 302);
  assert.equal(res.headers.get('location'), `/build/${ids.nixpkgs}/download/1/nixexprs.tar.xz`);
  assert.equal(
    (await fetch(`${w.url}/channel/custom/tests/nested/broken/nixexprs.tar.xz`)).status,
    404,
    'never built successfully',
  );
});
