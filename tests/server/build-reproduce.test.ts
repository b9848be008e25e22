// /build/N/reproduce as Hydra serves it (Hydra: src/lib/Hydra/Controller/Build.pm reproduce,
// src/root/reproduce.tt): a bash script that fetches the inputs of the build's first
// evaluation and runs nix-build on the job. Run here for real: git clone, real nix-build.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { evalBuilds, evaluatedJob } from '../helpers/db.ts';
import { registerEvaluation } from '../../core/db/evals.ts';
import { nixEnv, optionFlags } from '../../core/nix/options.ts';
import { runProgram } from '../../core/nix/run.ts';
import { GitRepo } from '../helpers/git-repo.ts';
import { tempDir } from '../helpers/temp.ts';
import { addJobset, addProject, startWebFixture, type WebFixture } from '../helpers/web-fixture.ts';

const dir = tempDir('hydrant-reproduce-');
const nonce = randomUUID().slice(0, 8);
// Whoever pushes chooses input values: this one would run commands if the script did not quote it.
const hostile = `it's "$(touch ${dir}/pwned)" \${x} \`id\``;
let w: WebFixture;
let buildId = 0;

before(async () => {
  w = await startWebFixture();
  const repo = new GitRepo(join(dir, 'repo'));
  repo.write(
    'release.nix',
    `{ src, greeting, fast }: {
    tests.hello = derivation {
      name = "hello-${nonce}"; system = builtins.currentSystem; builder = "/bin/sh";
      args = [ "-c" "echo \\"$greeting\\" > $out; echo ${'${toString fast}'} ${'${builtins.baseNameOf src}'} >> $out" ];
      inherit greeting;
    };
  }`,
  );
  const rev = repo.commit('release');
  addProject(w.db, 'demo');
  const { evalId } = registerEvaluation(w.db, {
    jobsetId: addJobset(w.db, 'demo', 'main'),
    inputsHash: nonce,
    checkoutSeconds: 1,
    evalSeconds: 1,
    nixexprinput: 'src',
    nixexprpath: 'release.nix',
    inputs: [
      { name: 'src', type: 'git', uri: repo.dir, revision: rev, value: 'main', path: null, dependency: null },
      { name: 'greeting', type: 'string', uri: null, revision: null, value: hostile, path: null, dependency: null },
      { name: 'fast', type: 'boolean', uri: null, revision: null, value: 'true', path: null, dependency: null },
    ],
    jobs: [evaluatedJob('tests.hello', `/nix/store/${nonce}-hello.drv`, { nixName: 'hello' })],
    errors: [],
  });
  buildId = evalBuilds(w.db, evalId)[0]!.id;
});
after(() => w.stop());

test('the script is served as a download named after the build', async () => {
  const res = await fetch(`${w.url}/build/${buildId}/reproduce`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/x-shellscript/);
  assert.equal(res.headers.get('content-disposition'), `attachment; filename="reproduce-build-${buildId}.sh"`);
  assert.match(await res.text(), /^#! \/usr\/bin\/env bash\n/);
  assert.equal((await fetch(`${w.url}/build/999999/reproduce`)).status, 404);
});

test('running it clones the input at the evaluated commit and builds the job, with every value quoted', async () => {
  const script = join(dir, 'reproduce.sh');
  writeFileSync(script, await (await fetch(`${w.url}/build/${buildId}/reproduce`)).text());
  const work = join(dir, 'work');
  const r = await runProgram('bash', [script, '--dir', work, ...optionFlags()], { env: nixEnv(), timeoutSeconds: 120 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(join(work, 'result'), 'utf8'), `${hostile}\n1 source\n`);
  assert.throws(() => readFileSync(join(dir, 'pwned')), /ENOENT/, 'the input value ran nothing');
});
