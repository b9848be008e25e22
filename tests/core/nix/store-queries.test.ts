// Validity and sizes come from Nix's database when it can be read, and must say what Nix
// itself says (nix-store --check-validity, nix-store -q --size, the closure's sizes).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CliNix } from '../../../core/nix/cli-nix.ts';
import { nixEnv, optionFlags } from '../../../core/nix/options.ts';
import { tempDir } from '../../helpers/temp.ts';

function nixStore(args: string[]): string {
  return execFileSync('nix-store', [...args, ...optionFlags()], {
    env: nixEnv(),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }).trim();
}

test("validPaths and pathSizes agree with Nix's own answers", async () => {
  const dir = tempDir();
  const file = join(dir, 'release.nix');
  const nonce = randomUUID();
  writeFileSync(
    file,
    `{ }: let dep = derivation { name = "dep-${nonce}"; system = builtins.currentSystem; builder = "/bin/sh";
      args = [ "-c" "echo ${nonce} > $out" ]; };
    in { top = derivation { name = "top-${nonce}"; system = builtins.currentSystem; builder = "/bin/sh";
      args = [ "-c" "echo \${dep} > $out" ]; }; }`,
  );
  const nix = new CliNix();
  const { jobs } = await nix.evaluateJobs({ exprPath: file, args: {} });
  const top = jobs[0]!;
  const out = top.outputs['out']!;
  assert.deepEqual([...(await nix.validPaths([out, top.drvPath]))], [top.drvPath], 'not built yet');
  nixStore(['--realise', top.drvPath]);
  assert.deepEqual(
    [...(await nix.validPaths([out, top.drvPath, '/nix/store/00000000000000000000000000000000-none']))].sort(),
    [out, top.drvPath].sort(),
  );
  const closure = nixStore(['-qR', out]).split('\n');
  assert.equal(closure.length, 2, 'the output refers to its dependency');
  const sizes = closure.map((p) => Number(nixStore(['-q', '--size', p])));
  assert.deepEqual(await nix.pathSizes(out), {
    narSize: Number(nixStore(['-q', '--size', out])),
    closureSize: sizes.reduce((a, b) => a + b, 0),
  });
  await assert.rejects(nix.pathSizes('/nix/store/00000000000000000000000000000000-none'), /is not valid/);
});
