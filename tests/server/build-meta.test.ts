// The build page shows every meta field Hydra's does (Hydra: subprojects/hydra/root/build.tt,
// "Nix expression", "Nix name", "Short description", "License", "Homepage", "Maintainer(s)").
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { evalBuilds, evaluatedJob } from '../helpers/db.ts';
import { registerEvaluation } from '../../core/db/evals.ts';
import { get } from '../helpers/http.ts';
import { addJobset, addProject, startWebFixture, type WebFixture } from '../helpers/web-fixture.ts';

let w: WebFixture;
const ids: Record<string, number> = {};

before(async () => {
  w = await startWebFixture();
  addProject(w.db, 'demo');
  const job = (
    name: string,
    meta: { description: string | null; license: string | null; homepage: string | null; maintainers: string | null },
  ) =>
    evaluatedJob(name, `/nix/store/${'m'.repeat(31)}${name.length}-${name}.drv`, { nixName: `${name}-1.0`, ...meta });
  const { evalId } = registerEvaluation(w.db, {
    jobsetId: addJobset(w.db, 'demo', 'main'),
    inputsHash: 'meta',
    checkoutSeconds: 1,
    evalSeconds: 1,
    nixexprinput: 'src',
    nixexprpath: 'ci/release.nix',
    inputs: [],
    errors: [],
    jobs: [
      job('full', {
        description: 'This is the description of the job.',
        license: 'MIT, BSD',
        homepage: 'https://example.com/',
        maintainers: 'alice@example.com, bob@not.found',
      }),
      job('bare', { description: null, license: null, homepage: null, maintainers: null }),
      job('sneaky', { description: null, license: null, homepage: 'javascript:alert(1)', maintainers: null }),
    ],
  });
  for (const b of evalBuilds(w.db, evalId)) ids[b.job] = b.id;
});
after(() => w.stop());

const fact = (page: string, name: string) => new RegExp(`<dt>${name}</dt><dd>(.*?)</dd>`).exec(page)?.[1];

test('licence, homepage, maintainers, description, Nix name and expression are shown', async () => {
  const page = (await get(`${w.url}/build/${ids.full}`)).text;
  assert.equal(fact(page, 'License'), 'MIT, BSD');
  assert.equal(
    fact(page, 'Homepage'),
    '<a href="https://example.com/" rel="nofollow noopener">https://example.com/</a>',
  );
  assert.equal(fact(page, 'Maintainer\\(s\\)'), 'alice@example.com, bob@not.found');
  assert.equal(fact(page, 'Short description'), 'This is the description of the job.');
  assert.equal(fact(page, 'Nix name'), '<code>full-1.0</code>');
  assert.equal(fact(page, 'Nix expression'), 'file <code>ci/release.nix</code> in input <code>src</code>');
});

test('a field that is not given says so, and a homepage that is not http(s) is no link', async () => {
  const bare = (await get(`${w.url}/build/${ids.bare}`)).text;
  for (const name of ['License', 'Homepage', 'Maintainer\\(s\\)', 'Short description'])
    assert.equal(fact(bare, name), '<em>not given</em>', name);
  const sneaky = (await get(`${w.url}/build/${ids.sneaky}`)).text;
  assert.equal(fact(sneaky, 'Homepage'), 'javascript:alert(1)');
  assert.doesNotMatch(sneaky, /href="javascript:/);
});
