// Evaluations run with Nix's restrict-eval, as Hydra's: the expression (written by anyone
// who can push a commit) reads only its jobset's inputs, fetches only its inputs' URLs and
// sees no environment. --restrict-eval false turns it off for trusted installs.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { evalBuilds } from '../helpers/db.ts';
import { evalErrors, listEvals } from '../../core/db/evals.ts';
import { getJobset, triggerEvaluation } from '../../core/db/jobsets.ts';
import { CliNix } from '../../core/nix/cli-nix.ts';
import { evaluatorFixture } from '../helpers/evaluator-fixture.ts';
import { GitRepo } from '../helpers/git-repo.ts';

const SECRET = `server secret ${randomUUID()}`;

function hostileRepo(dir: string, secretFile: string, otherStorePath: string): GitRepo {
  const nonce = randomUUID();
  const job = (
    name: string,
    description: string,
  ) => `${name} = derivation { name = "${name}"; system = builtins.currentSystem; builder = "/bin/sh";
    args = [ "-c" "echo ${nonce} > $out" ]; PATH = "/usr/bin:/bin"; } // { meta.description = ${description}; };`;
  const repo = new GitRepo(dir);
  repo
    .write('own.txt', 'from the input')
    .write(
      'release.nix',
      `{ src, ... }: {
    ${job('reader', `builtins.readFile ${secretFile}`)}
    ${job('fetcher', `builtins.readFile (builtins.fetchurl "file://${secretFile}")`)}
    ${job('store', `builtins.readFile ${otherStorePath}`)}
    ${job('env', `"home=" + builtins.getEnv "HOME"`)}
    ${job('own', `builtins.readFile (src + "/own.txt")`)}
  }`,
    )
    .commit('hostile');
  return repo;
}

async function evaluate(extraArgs: string[]) {
  const f = evaluatorFixture(extraArgs);
  const secretFile = join(f.dir, 'secret.txt');
  writeFileSync(secretFile, SECRET);
  // Another project's source in the store is not this expression's input either.
  const otherStorePath = execFileSync('nix-store', ['--option', 'build-users-group', '', '--add', secretFile], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }).trim();
  const repo = hostileRepo(join(f.dir, 'repo'), secretFile, otherStorePath);
  f.writeSpec('p', {
    jobsets: { j: { nixexprinput: 'src', checkinterval: 0, inputs: { src: { type: 'git', value: repo.dir } } } },
  });
  f.sync();
  triggerEvaluation(f.db, getJobset(f.db, 'p', 'j')!.id);
  await f.evaluator.runOnce();
  const evalId = listEvals(f.db, getJobset(f.db, 'p', 'j')!.id, 1)[0]?.id;
  if (evalId === undefined) throw new Error(`no evaluation: ${getJobset(f.db, 'p', 'j')!.errormsg}`);
  const descriptions = Object.fromEntries(evalBuilds(f.db, evalId).map((b) => [b.job, b.description]));
  return { descriptions, errors: Object.fromEntries(evalErrors(f.db, evalId).map((e) => [e.job, e.message])) };
}

test(`an expression cannot read the server's files, fetch other URLs or see the environment; \
its own input it reads`, async () => {
  const { descriptions, errors } = await evaluate([]);
  assert.doesNotMatch(JSON.stringify({ descriptions, errors }), new RegExp(SECRET));
  assert.match(errors['reader'] ?? '', /forbidden in restricted mode/);
  assert.match(errors['store'] ?? '', /forbidden in restricted mode/);
  assert.match(errors['fetcher'] ?? '', /forbidden in restricted mode|not allowed/);
  assert.equal(descriptions['env'], 'home=');
  assert.equal(descriptions['own'], 'from the input');
});

test("--restrict-eval false lets a trusted install's expressions read what they like", async () => {
  const { descriptions } = await evaluate(['--restrict-eval', 'false']);
  assert.equal(descriptions['reader'], SECRET);
  assert.notEqual(descriptions['env'], 'home=');
});

test(`a path input the evaluation copies itself: its own files are read, a symlink in it that leads out is \
refused, through its store path and through the directory being copied`, async () => {
  // One worker: the walk may write, so it copies the new input instead of nix-store --add.
  const real = new CliNix();
  const added: string[] = [];
  const nix = Object.assign(Object.create(real) as CliNix, {
    addToStore: (dir: string) => (added.push(dir), real.addToStore(dir)),
  });
  const f = evaluatorFixture(['--eval-workers', '1'], nix);
  const secretFile = join(f.dir, 'secret.txt');
  writeFileSync(secretFile, SECRET);
  const src = join(f.dir, 'src');
  mkdirSync(src);
  writeFileSync(join(src, 'own.txt'), 'from the input');
  symlinkSync(secretFile, join(src, 'evil'));
  const nonce = randomUUID();
  const job = (name: string, description: string) =>
    `${name} = derivation { name = "${name}"; system = builtins.currentSystem; builder = "/bin/sh";
    args = [ "-c" "echo ${nonce} > $out" ]; PATH = "/usr/bin:/bin"; } // { meta.description = ${description}; };`;
  writeFileSync(
    join(src, 'release.nix'),
    `{ src, ... }: {
    ${job('own', `builtins.readFile (src + "/own.txt")`)}
    ${job('viaStore', `builtins.readFile (src + "/evil")`)}
    ${job('viaHost', `builtins.readFile (/. + "${src}/evil")`)}
  }`,
  );
  f.writeSpec('p', {
    jobsets: { j: { nixexprinput: 'src', checkinterval: 0, inputs: { src: { type: 'path', value: src } } } },
  });
  f.sync();
  triggerEvaluation(f.db, getJobset(f.db, 'p', 'j')!.id);
  assert.equal((await f.evaluator.runOnce())[0]?.kind, 'evaluated', getJobset(f.db, 'p', 'j')!.errormsg ?? '');
  const evalId = listEvals(f.db, getJobset(f.db, 'p', 'j')!.id, 1)[0]!.id;
  const descriptions = Object.fromEntries(evalBuilds(f.db, evalId).map((b) => [b.job, b.description]));
  const errors = Object.fromEntries(evalErrors(f.db, evalId).map((e) => [e.job, e.message]));
  assert.doesNotMatch(JSON.stringify({ descriptions, errors }), new RegExp(SECRET));
  assert.equal(descriptions['own'], 'from the input');
  assert.match(errors['viaStore'] ?? '', /forbidden in restricted mode/);
  assert.match(errors['viaHost'] ?? '', /forbidden in restricted mode/);
  assert.deepEqual(added, [], "the evaluation's Nix copied the input");
});
