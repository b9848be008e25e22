// Hydra's declarative projects: the jobsets live in a JSON file (declfile) inside the polled
// repository and are re-read at every new revision. Real git, real nix, real database.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { listEvals } from '../../core/db/evals.ts';
import { getJobset, listJobsets, triggerEvaluation } from '../../core/db/jobsets.ts';
import { getProject } from '../../core/db/projects.ts';
import { evaluatorFixture, ReleaseRepo } from '../helpers/evaluator-fixture.ts';

const declared = (repoDir: string, names: Record<string, Record<string, unknown>>) =>
  JSON.stringify(
    Object.fromEntries(
      Object.entries(names).map(([name, extra]) => [
        name,
        {
          enabled: 1,
          hidden: false,
          description: name,
          nixexprinput: 'src',
          nixexprpath: 'release.nix',
          checkinterval: 60,
          schedulingshares: 100,
          enableemail: false,
          emailoverride: '',
          keepnr: 3,
          inputs: { src: { type: 'git', value: `${repoDir} main`, emailresponsible: false } },
          ...extra,
        },
      ]),
    ),
  );

test("a declarative project's jobsets follow its declfile, revision by revision", async () => {
  const f = evaluatorFixture();
  const repo = new ReleaseRepo(join(f.dir, 'repo'), 'a = job "a";');
  repo.write('spec.json', declared(repo.dir, { trunk: {}, staging: {} })).commit('declare two jobsets');
  f.writeSpec('decl', {
    displayname: 'Declarative',
    declfile: 'spec.json',
    decltype: 'git',
    declvalue: `${repo.dir} main`,
  });

  const first = await f.evaluator.runOnce();
  assert.deepEqual(first, [{ kind: 'declared', jobsets: 2 }]);
  assert.equal(getProject(f.db, 'decl')!.declfile, 'spec.json');
  assert.deepEqual(
    listJobsets(f.db, 'decl').map((j) => [j.name, j.hidden]),
    [
      ['.jobsets', 1],
      ['staging', 0],
      ['trunk', 0],
    ],
  );

  const second = await f.evaluator.runOnce();
  assert.deepEqual(
    second.map((o) => o.kind),
    ['evaluated', 'evaluated'],
    'the declared jobsets are evaluated',
  );
  assert.equal(listEvals(f.db, getJobset(f.db, 'decl', 'trunk')!.id, 1).length, 1);

  repo
    .write('spec.json', declared(repo.dir, { trunk: { description: 'edited', checkinterval: 0 }, next: {} }))
    .commit('edit, remove, add');
  triggerEvaluation(f.db, getJobset(f.db, 'decl', '.jobsets')!.id);
  assert.deepEqual(await f.evaluator.runOnce(), [{ kind: 'declared', jobsets: 2 }]);
  const trunk = getJobset(f.db, 'decl', 'trunk')!;
  assert.deepEqual([trunk.description, trunk.checkinterval], ['edited', 0]);
  const staging = getJobset(f.db, 'decl', 'staging')!;
  assert.deepEqual([staging.enabled, staging.hidden], [0, 1], 'a jobset no longer declared is disabled and hidden');
  assert.equal(listEvals(f.db, staging.id, 10).length, 1, 'its history stays');
  assert.equal(getJobset(f.db, 'decl', 'next')!.enabled, 1);

  triggerEvaluation(f.db, getJobset(f.db, 'decl', '.jobsets')!.id);
  const unchanged = await f.evaluator.runOnce();
  assert.ok(
    unchanged.some((o) => o.kind === 'unchanged'),
    'the same revision is not re-read',
  );
});

test(`a broken declfile is reported on the .jobsets jobset and changes nothing; \
a bad jobset names its key`, async () => {
  const f = evaluatorFixture();
  const repo = new ReleaseRepo(join(f.dir, 'repo'), 'a = job "a";');
  repo.write('spec.json', declared(repo.dir, { trunk: { checkinterval: 0 } })).commit('declare');
  f.writeSpec('decl', { declfile: 'spec.json', decltype: 'git', declvalue: repo.dir });
  await f.evaluator.runOnce();
  const declId = getJobset(f.db, 'decl', '.jobsets')!.id;

  repo.write('spec.json', '{ "trunk": ').commit('break the declfile');
  triggerEvaluation(f.db, declId);
  assert.equal((await f.evaluator.runOnce())[0]?.kind, 'failed');
  assert.match(getJobset(f.db, 'decl', '.jobsets')!.errormsg!, /decl: declfile spec\.json: not valid JSON/);
  assert.equal(getJobset(f.db, 'decl', 'trunk')!.enabled, 1, 'the jobsets stay as they were');

  repo.write('spec.json', declared(repo.dir, { trunk: { checkinterval: 0, interval: 5 } })).commit('unknown key');
  triggerEvaluation(f.db, declId);
  await f.evaluator.runOnce();
  assert.equal(getJobset(f.db, 'decl', '.jobsets')!.errormsg, null);
  assert.match(
    getJobset(f.db, 'decl', 'trunk')!.spec_error!,
    /declfile spec\.json, jobset "trunk": unknown key "interval"/,
  );
});

test('a declarative project spec must name declfile, decltype and declvalue together', () => {
  const f = evaluatorFixture();
  f.writeSpec('half', { declfile: 'spec.json', decltype: 'git' });
  f.writeSpec('both', { declfile: 'spec.json', decltype: 'git', declvalue: '/x', jobsets: {} });
  f.sync();
  assert.match(
    getProject(f.db, 'half')!.spec_error!,
    /half\.json: a declarative project needs all of "declfile", "decltype" and "declvalue"; missing "declvalue"/,
  );
  assert.match(getProject(f.db, 'both')!.spec_error!, /takes its jobsets from "declfile"; remove "jobsets"/);
});
