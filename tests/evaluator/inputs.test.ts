// Jobset inputs reach the expression as in Hydra: --arg/--argstr, git as an attribute set
// with outPath/rev/shortRev/revCount, and a build input as the latest successful output.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BuildStatus } from '../../core/model/status.ts';
import { evalBuilds, finishStepAndBuild, plainResult } from '../helpers/db.ts';
import { evalInputs, listEvals } from '../../core/db/evals.ts';
import { getJobset, triggerEvaluation } from '../../core/db/jobsets.ts';
import { CliNix } from '../../core/nix/cli-nix.ts';
import { nixEnv, optionFlags } from '../../core/nix/options.ts';
import { hashSource } from '../../core/nix/source-path.ts';
import { evaluatorFixture } from '../helpers/evaluator-fixture.ts';
import { GitRepo } from '../helpers/git-repo.ts';

// The job's description is a JSON record of what the expression received.
const probe = (nonce: string) => `{ src, name, flag, cfg, data, upstream ? null }:
{ probe = derivation { name = "probe"; system = builtins.currentSystem; builder = "/bin/sh";
    args = [ "-c" "echo ${nonce} > $out" ]; PATH = "/usr/bin:/bin"; } // {
  meta.description = builtins.toJSON {
    inherit (src) rev shortRev revCount; inherit name flag cfg;
    readme = builtins.readFile (src + "/README");
    data = builtins.readFile (data + "/f.txt");
    upstream = if upstream == null then null else builtins.readFile upstream;
  };
}; }`;

test('git, string, boolean, nix, path and build inputs reach the expression', async () => {
  const f = evaluatorFixture();
  const repo = new GitRepo(join(f.dir, 'repo'));
  repo.write('release.nix', probe(randomUUID())).write('README', 'read me').commit('one');
  const rev = repo.write('README', 'read me twice').commit('two');
  const data = join(f.specDir, 'data'); // path inputs lie under --allowed-paths, by default the jobsets directory
  mkdirSync(data);
  writeFileSync(join(data, 'f.txt'), 'path input');
  const upNonce = randomUUID();
  const up = new GitRepo(join(f.dir, 'up'));
  up.write(
    'release.nix',
    `{ ... }: { lib = derivation { name = "lib"; system = builtins.currentSystem; builder = "/bin/sh";
    args = [ "-c" "echo -n built-${upNonce} > $out" ]; PATH = "/usr/bin:/bin"; }; }`,
  ).commit('up');
  const inputs = {
    src: { type: 'git', value: `${repo.dir} main` },
    name: { type: 'string', value: 'a "quoted" ${name}' },
    flag: { type: 'boolean', value: 'true' },
    cfg: { type: 'nix', value: '{ x = 1 + 1; }' },
    data: { type: 'path', value: data },
  };
  f.writeSpec('p', {
    jobsets: {
      up: { nixexprinput: 'src', checkinterval: 0, inputs: { src: { type: 'git', value: up.dir } } },
      main: { nixexprinput: 'src', checkinterval: 0, inputs },
      withbuild: {
        nixexprinput: 'src',
        checkinterval: 0,
        inputs: { ...inputs, upstream: { type: 'build', value: 'p:up:lib' } },
      },
    },
  });
  f.sync();
  const jobsetId = (name: string) => getJobset(f.db, 'p', name)!.id;
  const probeOf = (name: string) =>
    JSON.parse(evalBuilds(f.db, listEvals(f.db, jobsetId(name), 1)[0]!.id)[0]!.description!);

  triggerEvaluation(f.db, jobsetId('main'));
  await f.evaluator.runOnce();
  assert.deepEqual(probeOf('main'), {
    rev,
    shortRev: rev.slice(0, 7),
    revCount: 2,
    name: 'a "quoted" ${name}',
    flag: true,
    cfg: { x: 2 },
    readme: 'read me twice',
    data: 'path input',
    upstream: null,
  });

  // A build input needs a successful build of the job first.
  triggerEvaluation(f.db, jobsetId('withbuild'));
  assert.equal((await f.evaluator.runOnce())[0]?.kind, 'failed');
  assert.match(getJobset(f.db, 'p', 'withbuild')!.errormsg!, /input "upstream": no successful build of p:up:lib yet/);
  triggerEvaluation(f.db, jobsetId('up'));
  await f.evaluator.runOnce();
  const lib = evalBuilds(f.db, listEvals(f.db, jobsetId('up'), 1)[0]!.id)[0]!;
  execFileSync('nix-store', ['--realise', lib.drvpath, ...optionFlags()], { env: nixEnv(), stdio: 'ignore' });
  finishStepAndBuild(f.db, lib.id, null, plainResult(BuildStatus.Success));
  triggerEvaluation(f.db, jobsetId('withbuild'));
  assert.equal((await f.evaluator.runOnce())[0]?.kind, 'evaluated');
  assert.equal(probeOf('withbuild').upstream, `built-${upNonce}`);
});

test('a git repository is cloned once and fetched after', async () => {
  const f = evaluatorFixture();
  const repo = new GitRepo(join(f.dir, 'repo'));
  const release = (n: number) =>
    `{ ... }: { j = derivation { name = "j"; system = builtins.currentSystem; ` +
    `builder = "/bin/sh"; args = [ "-c" "echo ${randomUUID()} ${n} > $out" ]; }; }`;
  repo.write('release.nix', release(1)).commit('one');
  f.writeSpec('p', {
    jobsets: { a: { nixexprinput: 'src', checkinterval: 0, inputs: { src: { type: 'git', value: repo.dir } } } },
  });
  f.sync();
  const id = getJobset(f.db, 'p', 'a')!.id;
  triggerEvaluation(f.db, id);
  await f.evaluator.runOnce();
  const gitCache = join(f.dir, 'state', 'git');
  const [mirror] = readdirSync(gitCache);
  writeFileSync(join(gitCache, mirror!, 'hydrant-test-marker'), 'a clone would not have this');
  repo.write('release.nix', release(2)).commit('two');
  triggerEvaluation(f.db, id);
  await f.evaluator.runOnce();
  assert.equal(listEvals(f.db, id, 10).length, 2, 'the new commit was fetched');
  assert.deepEqual(readdirSync(gitCache), [mirror]);
  assert.ok(
    readdirSync(join(gitCache, mirror!)).includes('hydrant-test-marker'),
    'the mirror was fetched into, not re-cloned',
  );
});

test('an unreachable git repository is a fetch error on the jobset, and nothing else changes', async () => {
  const f = evaluatorFixture();
  f.writeSpec('p', {
    jobsets: {
      a: { nixexprinput: 'src', checkinterval: 0, inputs: { src: { type: 'git', value: join(f.dir, 'missing') } } },
    },
  });
  f.sync();
  triggerEvaluation(f.db, getJobset(f.db, 'p', 'a')!.id);
  assert.equal((await f.evaluator.runOnce())[0]?.kind, 'failed');
  const j = getJobset(f.db, 'p', 'a')!;
  assert.match(j.fetcherrormsg!, /git input .*missing/);
  assert.equal(j.starttime, null);
});

/** The real Nix, noting the directories it is asked to copy into the store. */
function countingNix(): { nix: CliNix; added: string[] } {
  const real = new CliNix();
  const added: string[] = [];
  const nix = Object.assign(Object.create(real) as CliNix, {
    addToStore: (dir: string) => {
      added.push(dir);
      return real.addToStore(dir);
    },
  });
  return { nix, added };
}

test('polling an unchanged repository does not check it out or copy it to the store again', async () => {
  const { nix, added } = countingNix();
  const f = evaluatorFixture([], nix);
  const repo = new GitRepo(join(f.dir, 'repo'));
  repo
    .write(
      'release.nix',
      `{ ... }: { j = derivation { name = "j"; system = builtins.currentSystem; ` +
        `builder = "/bin/sh"; args = [ "-c" "echo ${randomUUID()} > $out" ]; }; }`,
    )
    .commit('one');
  f.writeSpec('p', {
    jobsets: { a: { nixexprinput: 'src', checkinterval: 0, inputs: { src: { type: 'git', value: repo.dir } } } },
  });
  f.sync();
  const id = getJobset(f.db, 'p', 'a')!.id;
  triggerEvaluation(f.db, id);
  assert.equal((await f.evaluator.runOnce())[0]?.kind, 'evaluated');
  assert.equal(added.length, 1);
  triggerEvaluation(f.db, id);
  assert.deepEqual(await f.evaluator.runOnce(), [{ kind: 'unchanged' }]);
  assert.equal(added.length, 1, 'the revision seen at the last evaluation reuses its store path');
});

test(`polling an unchanged path input does not copy it to the store again; a changed one is copied by the \
evaluation's own Nix, to the path nix-store --add gives it`, async () => {
  const { nix, added } = countingNix();
  const f = evaluatorFixture([], nix);
  const src = join(f.dir, 'src');
  mkdirSync(src);
  const write = () =>
    writeFileSync(
      join(src, 'release.nix'),
      `{ ... }: { j = derivation { name = "j"; system = builtins.currentSystem; ` +
        `builder = "/bin/sh"; args = [ "-c" "echo ${randomUUID()} > $out" ]; }; }`,
    );
  write();
  f.writeSpec('p', {
    jobsets: { a: { nixexprinput: 'src', checkinterval: 0, inputs: { src: { type: 'path', value: src } } } },
  });
  f.sync();
  const id = getJobset(f.db, 'p', 'a')!.id;
  const check = async () => {
    triggerEvaluation(f.db, id);
    return (await f.evaluator.runOnce())[0]?.kind;
  };
  assert.equal(await check(), 'evaluated');
  assert.equal(added.length, 1);
  assert.equal(await check(), 'unchanged');
  assert.equal(added.length, 1, 'the same contents are in the store already: no nix-store --add');
  write();
  const expected = hashSource(src).storePath;
  assert.equal((await nix.validPaths([expected])).size, 0, 'the changed contents are not in the store yet');
  assert.equal(await check(), 'evaluated');
  assert.equal(added.length, 1, 'copied by the walkers (read-write, the jobset was evaluated before)');
  const ev = listEvals(f.db, id, 1)[0]!;
  assert.equal(evalInputs(f.db, ev.id).find((i) => i.name === 'src')?.path, expected);
  assert.equal((await nix.validPaths([expected])).size, 1);
  const byNix = execFileSync('nix-store', ['--add', ...optionFlags(), src], { env: nixEnv(), encoding: 'utf8' });
  assert.equal(byNix.trim(), expected);
});

test("a build input cannot take a private project's build into another project", async () => {
  const f = evaluatorFixture();
  const up = new GitRepo(join(f.dir, 'up'));
  up.write(
    'release.nix',
    `{ ... }: { lib = derivation { name = "lib"; system = builtins.currentSystem; builder = "/bin/sh";
    args = [ "-c" "echo -n ${randomUUID()} > $out" ]; PATH = "/usr/bin:/bin"; }; }`,
  ).commit('up');
  const consumer = new GitRepo(join(f.dir, 'consumer'));
  consumer.write('release.nix', '{ upstream, ... }: { }').commit('consumer');
  f.writeSpec('secret', {
    private: true,
    jobsets: { up: { nixexprinput: 'src', checkinterval: 0, inputs: { src: { type: 'git', value: up.dir } } } },
  });
  f.writeSpec('open', {
    jobsets: {
      steal: {
        nixexprinput: 'src',
        checkinterval: 0,
        inputs: {
          src: { type: 'git', value: consumer.dir },
          upstream: { type: 'build', value: 'secret:up:lib' },
        },
      },
    },
  });
  f.sync();
  triggerEvaluation(f.db, getJobset(f.db, 'secret', 'up')!.id);
  await f.evaluator.runOnce();
  const build = evalBuilds(f.db, listEvals(f.db, getJobset(f.db, 'secret', 'up')!.id, 1)[0]!.id)[0]!;
  finishStepAndBuild(f.db, build.id, null, plainResult(BuildStatus.Success));
  triggerEvaluation(f.db, getJobset(f.db, 'open', 'steal')!.id);
  await f.evaluator.runOnce();
  assert.equal(
    getJobset(f.db, 'open', 'steal')!.fetcherrormsg,
    'input "upstream": no successful build of secret:up:lib yet',
  );
});
