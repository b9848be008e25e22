import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CliNix } from '../../../core/nix/cli-nix.ts';
import { parseDerivation } from '../../../core/nix/derivation.ts';
import { nixString } from '../../../core/nix/nix-syntax.ts';
import { tempDir } from '../../helpers/temp.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

test('parses a derivation with escapes', () => {
  const d = parseDerivation(
    'Derive([("out","/nix/store/x-a","","")],[("/nix/store/d.drv",["out","dev"])],["/nix/store/s"],' +
      '"x86_64-linux","/bin/sh",["-c","echo \\"hi\\"\\n"],[("name","a"),("out","/nix/store/x-a")])',
  );
  assert.equal(d.outputs['out']!.path, '/nix/store/x-a');
  assert.deepEqual(d.inputDrvs, { '/nix/store/d.drv': ['out', 'dev'] });
  assert.deepEqual(d.args, ['-c', 'echo "hi"\n']);
  assert.equal(d.env['name'], 'a');
  assert.throws(() => parseDerivation('Derive([('), /malformed derivation/);
});

test('nixString makes any text a Nix string literal that evaluates to itself', async () => {
  const nasty = 'a"b\\c${builtins.abort "x"}\nd\ttab';
  const dir = tempDir();
  const file = join(dir, 'release.nix');
  writeFileSync(
    file,
    `{ s }: { job = derivation { name = "s"; system = builtins.currentSystem; ` +
      `builder = "/bin/sh"; args = [ "-c" "echo > $out" ]; text = s; }; }`,
  );
  const nix = new CliNix();
  const result = await nix.evaluateJobs({ exprPath: file, args: { s: { expr: nixString(nasty) } } });
  const drv = await nix.readDerivation(result.jobs[0]!.drvPath);
  assert.equal(drv.env['text'], nasty);
});

test(`evaluateJobs enumerates nested jobs with meta, \
and reports a throwing job without hiding the others`, async () => {
  const dir = tempDir();
  const file = join(dir, 'release.nix');
  writeFileSync(
    file,
    `{ greeting ? "x" }: let mk = n: derivation { name = n; system = builtins.currentSystem;
      builder = "/bin/sh"; args = [ "-c" "echo > $out" ]; }; in {
    a = mk "a-\${greeting}";
    tests.deep.b = mk "b" // { meta = { description = "B"; timeout = 60; maxSilent = 5; schedulingPriority = 10; }; };
    tests.bad = throw "nope";
    notAJob = 3;
  }`,
  );
  const result = await new CliNix().evaluateJobs({ exprPath: file, args: { greeting: { str: 'hi' } } });
  assert.deepEqual(result.jobs.map((j) => j.name).sort(), ['a', 'tests.deep.b']);
  const a = result.jobs.find((j) => j.name === 'a')!;
  assert.equal(a.nixName, 'a-hi');
  const b = result.jobs.find((j) => j.name === 'tests.deep.b')!;
  assert.equal(b.description, 'B');
  assert.equal(b.timeout, 60);
  assert.equal(b.maxSilent, 5);
  assert.equal(b.schedulingPriority, 10);
  assert.deepEqual(
    result.errors.map((e) => e.name),
    ['tests.bad'],
  );
});
