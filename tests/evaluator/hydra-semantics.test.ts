// What an evaluation records, as Hydra's script/hydra-eval-jobset does (subprojects/hydra/
// script/hydra-eval-jobset: getMeta, getMetaConcatStrings, the AggregateConstituents
// mapping), on real git and real nix.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { evalBuilds } from '../helpers/db.ts';
import { constituentIds, listEvals } from '../../core/db/evals.ts';
import { getJobset } from '../../core/db/jobsets.ts';
import { evaluatorFixture, gitJobset, ReleaseRepo } from '../helpers/evaluator-fixture.ts';

async function evaluate(jobs: string) {
  const f = evaluatorFixture();
  const repo = new ReleaseRepo(join(f.dir, 'repo'), jobs);
  f.writeSpec('p', { jobsets: { main: gitJobset(repo.dir, { checkinterval: 1 }) } });
  f.sync();
  assert.equal((await f.evaluator.runOnce())[0]?.kind, 'evaluated');
  const evalId = listEvals(f.db, getJobset(f.db, 'p', 'main')!.id, 1)[0]!.id;
  return { f, builds: Object.fromEntries(evalBuilds(f.db, evalId).map((b) => [b.job, b])) };
}

test('meta: priority 100 unless set (0 counts as unset), licences by shortName, maintainers by email', async () => {
  const { builds } = await evaluate(`
    plain = job "plain";
    urgent = (job "urgent") // { meta.schedulingPriority = 250; meta.timeout = 0; };
    zero = (job "zero") // { meta.schedulingPriority = 0; meta.maxSilent = 60; };
    full = (job "full") // { meta = {
      license = [ { shortName = "MIT"; fullName = "MIT License"; } "BSD" ];
      maintainers = [ { email = "alice@example.com"; name = "Alice"; } "bob@not.found" ];
      homepage = "https://example.com/"; description = "This is the description of the job."; }; };
    nolicence = (job "nolicence") // { meta.license = { fullName = "Some licence"; }; };`);
  assert.equal(builds.plain!.priority, 100);
  assert.equal(builds.urgent!.priority, 250);
  assert.equal(builds.zero!.priority, 100);
  assert.equal(builds.urgent!.timeout, null, 'meta.timeout = 0 means the default');
  assert.equal(builds.zero!.maxsilent, 60);
  assert.equal(builds.full!.license, 'MIT, BSD');
  assert.equal(builds.full!.maintainers, 'alice@example.com, bob@not.found');
  assert.equal(builds.full!.homepage, 'https://example.com/');
  assert.equal(builds.nolicence!.license, null, 'a licence without shortName gives nothing, as in Hydra');
});

test(`an aggregate's constituent shared by several jobs is the job with the shortest name; \
they are listed by job name`, async () => {
  const { f, builds } = await evaluate(`
    zlib = job "zlib";
    longer-alias = job "zlib";
    aa = job "zlib";
    beta = job "beta";
    all = (job "all") // { _hydraAggregate = true; constituents = [ (job "zlib") (job "beta") ]; };`);
  assert.equal(builds.aa!.drvpath, builds.zlib!.drvpath, 'three jobs, one derivation');
  const constituents = constituentIds(f.db, builds.all!.id).map(
    (id) => Object.values(builds).find((b) => b.id === id)!.job,
  );
  assert.deepEqual(constituents, ['aa', 'beta'], '"aa" and "zlib" tie on length; "aa" comes first');
});
