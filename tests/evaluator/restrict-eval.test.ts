// Evaluations run with Nix's restrict-eval, as Hydra's: the expression (written by anyone
// who can push a commit) reads only its jobset's inputs, fetches only its inputs' URLs and
// sees no environment. --restrict-eval false turns it off for trusted installs.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { evalBuilds } from '../helpers/db.ts';
import { evalErrors, listEvals } from '../../core/db/evals.ts';
import { getJobset, triggerEvaluation } from '../../core/db/jobsets.ts';
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
