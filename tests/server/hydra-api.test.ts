// Every JSON answer of every route Hydra's API document (hydra-api.yaml) describes validates
// against the document, corrected only where Hydra's code contradicts it (the list in
// hydra-api-known-errors.ts, each entry citing that code). Routes the document does not
// describe but that answer with its components are checked against those components.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { evalBuilds, evaluatedJob } from '../helpers/db.ts';
import { registerEvaluation } from '../../core/db/evals.ts';
import { upsertProject } from '../../core/db/projects.ts';
import {
  addEval,
  addJobset,
  addProject,
  addUser,
  login,
  runStep,
  startWebFixture,
  type WebFixture,
} from '../helpers/web-fixture.ts';
import { hydraApiDocument, type Schema } from './hydra-api-document.ts';
import { correctedDocument, KNOWN_ERRORS } from './hydra-api-known-errors.ts';
import { schemaProblems } from './schema-check.ts';

let w: WebFixture;
let cookie = '';
const answers = new Map<string, { route: string; body: unknown }[]>();
const ids = { eval: 0, build: 0, aggregate: 0, queued: 0 };

async function answer(route: string, path: string, init: RequestInit = {}): Promise<void> {
  const res = await fetch(w.url + path, {
    ...init,
    headers: { Accept: 'application/json', cookie, Origin: w.url, ...init.headers },
  });
  assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
  const list = answers.get(route) ?? [];
  list.push({ route: path, body: await res.json() });
  answers.set(route, list);
}

before(async () => {
  w = await startWebFixture();
  await addUser(w.db, 'root', 'pw-root-123', ['admin']);
  cookie = await login(w.url, 'root', 'pw-root-123');
  addProject(w.db, 'demo', { owner: 'root' });
  upsertProject(w.db, {
    name: 'decl',
    displayname: 'Declarative',
    description: '',
    homepage: '',
    enabled: true,
    hidden: false,
    owner: '',
    spec_source: '',
    declarative: { file: 'spec.json', type: 'git', value: 'https://example.invalid/spec.git' },
  });
  const js = addJobset(w.db, 'demo', 'main');
  const first = addEval(w.db, js, [{ name: 'lib' }]);
  runStep(w.db, w.stateDir, first.buildIds.lib!, {
    log: 'ok\n',
    products: [
      {
        type: 'file',
        subtype: 'tarball',
        path: '/nix/store/x-lib/lib.tar',
        name: 'lib.tar',
        defaultpath: null,
        filesize: 10,
        sha256hash: 'ab'.repeat(32),
      },
    ],
  });
  const drv = (n: string) => `/nix/store/${'a'.repeat(31)}${n}-${n}.drv`;
  const job = (name: string, extra: Partial<{ isAggregate: boolean; constituents: string[] }> = {}) =>
    evaluatedJob(name, drv(name), extra);
  const { evalId } = registerEvaluation(w.db, {
    jobsetId: js,
    inputsHash: 'second',
    checkoutSeconds: 1,
    evalSeconds: 2,
    nixexprinput: 'src',
    nixexprpath: 'release.nix',
    errors: [],
    inputs: [
      {
        name: 'src',
        type: 'git',
        uri: 'https://example.invalid/repo.git',
        revision: 'abc123',
        value: 'main',
        path: null,
        dependency: null,
      },
      { name: 'greeting', type: 'string', uri: null, revision: null, value: 'hello', path: null, dependency: null },
      {
        name: 'lib',
        type: 'build',
        uri: null,
        revision: null,
        value: 'demo:main:lib',
        path: '/nix/store/x-lib',
        dependency: first.buildIds.lib!,
      },
    ],
    jobs: [job('a'), job('b'), job('all', { isAggregate: true, constituents: ['a', 'b'] })],
  });
  const builds = Object.fromEntries(evalBuilds(w.db, evalId).map((b) => [b.job, b.id]));
  runStep(w.db, w.stateDir, builds.a!, { log: 'ok\n' });
  runStep(w.db, w.stateDir, builds.all!, { log: 'ok\n' });
  Object.assign(ids, { eval: evalId, build: builds.a!, aggregate: builds.all!, queued: builds.b! });

  await answer('POST /login', '/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'root', password: 'pw-root-123' }),
  });
  await answer('GET /', '/');
  await answer('POST /api/push', '/api/push?jobsets=demo:main', { method: 'POST' });
  await answer('GET /api/jobsets', '/api/jobsets?project=demo');
  await answer('GET /search', '/search?query=demo');
  await answer('GET /search', '/search?query=a');
  await answer('GET /project/{id}', '/project/demo');
  await answer('GET /project/{id}', '/project/decl');
  await answer('GET /jobset/{project-id}/{jobset-id}', '/jobset/demo/main');
  await answer('GET /jobset/{project-id}/{jobset-id}/evals', '/jobset/demo/main/evals');
  await answer('GET /jobset/{project-id}/{jobset-id}/evals', '/jobset/demo/main/evals?rows=1&page=2');
  for (const id of [ids.build, ids.queued, first.buildIds.lib!]) await answer('GET /build/{build-id}', `/build/${id}`);
  await answer('GET /build/{build-id}/constituents', `/build/${ids.aggregate}/constituents`);
  for (const id of [evalId, first.evalId]) await answer('GET /eval/{eval-id}', `/eval/${id}`);
  await answer('GET /eval/{eval-id}/builds', `/eval/${evalId}/builds`);
  // Not in the document, but answered with its components by Hydra too (Root.pm queue_GET, evals).
  await answer('GET /queue', '/queue');
  await answer('GET /evals', '/evals');
});
after(() => w.stop());

const EXTRA_ROUTES = (components: Record<string, Schema>): Record<string, Schema> => ({
  'GET /queue': { type: 'array', items: components.Build },
  'GET /evals': {
    type: 'array',
    items: {
      type: 'object',
      properties: {
        eval: components.JobsetEval!,
        nrScheduled: { type: 'integer' },
        nrSucceeded: { type: 'integer' },
        nrFailed: { type: 'integer' },
        diff: { type: 'integer' },
        changedInputs: {
          type: 'array',
          items: {
            type: 'object',
            properties: { name: { type: 'string' }, ...components.JobsetEvalInput!.properties },
          },
        },
      },
    },
  },
});

function problems(doc: ReturnType<typeof hydraApiDocument>): string[] {
  const schemas = { ...doc.responses, ...EXTRA_ROUTES(doc.components) };
  return [...answers].flatMap(([route, list]) =>
    list.flatMap((a) => schemaProblems(schemas[route]!, a.body).map((p) => `${a.route} ${p}`)),
  );
}

test('every documented route was asked', () => {
  assert.deepEqual(
    Object.keys(hydraApiDocument().responses).filter((r) => !answers.has(r)),
    [],
  );
});

test('every JSON answer validates against hydra-api.yaml where the document is right', () => {
  assert.deepEqual(problems(correctedDocument(hydraApiDocument())), []);
});

for (const known of KNOWN_ERRORS) {
  test(`known error of the document still holds: ${known.where} (${known.code})`, () => {
    const left = problems(correctedDocument(hydraApiDocument(), known));
    assert.ok(
      left.length > 0,
      `without the correction hydrant's answers still validate: drop "${known.where}" from the list`,
    );
  });
}

test("Hydra's shapes in detail: integer columns, booleans, keys sent only under a condition", () => {
  const build = answers.get('GET /build/{build-id}')!.map((a) => a.body as Record<string, unknown>);
  assert.equal(build[0]!.finished, 1);
  assert.equal(build[1]!.finished, 0);
  assert.equal(build[1]!.buildstatus, null);
  assert.ok(
    !('sha1hash' in (Object.values(build[2]!.buildproducts as object)[0] as object)),
    'Hydra sends no sha1hash',
  );
  assert.deepEqual(build[0]!.buildmetrics, { 'tests.count': { value: 42, unit: null } });
  const [plain, decl] = answers.get('GET /project/{id}')!.map((a) => a.body as Record<string, unknown>);
  assert.ok(!('declarative' in plain!), 'declarative only for a declarative project');
  assert.deepEqual(decl!.declarative, { file: 'spec.json', type: 'git', value: 'https://example.invalid/spec.git' });
  const jobset = answers.get('GET /jobset/{project-id}/{jobset-id}')![0]!.body as Record<string, unknown>;
  assert.ok(!('jobsetinputs' in jobset));
  assert.equal(jobset.fetcherrormsg, '');
  const evaluation = answers.get('GET /eval/{eval-id}')![0]!.body as {
    hasnewbuilds: number;
    jobsetevalinputs: Record<string, { dependency: number | null }>;
  };
  assert.equal(evaluation.hasnewbuilds, 1);
  assert.equal(
    evaluation.jobsetevalinputs.lib!.dependency,
    build[2]!.id,
    'a build input names the build as an integer',
  );
  const [page1, page2] = answers
    .get('GET /jobset/{project-id}/{jobset-id}/evals')!
    .map((a) => a.body as Record<string, unknown>);
  assert.deepEqual(Object.keys(page1!).sort(), ['evals', 'first', 'last']);
  assert.deepEqual(
    [page2!.first, page2!.previous, page2!.last, page2!.next],
    ['?rows=1&page=1', '?rows=1&page=1', '?rows=1&page=2', undefined],
  );
  const overview = answers.get('GET /api/jobsets')![0]!.body as Record<string, unknown>[];
  assert.deepEqual(Object.keys(overview[0]!).sort(), [
    'checkinterval',
    'errortime',
    'fetcherrormsg',
    'haserrormsg',
    'lastcheckedtime',
    'name',
    'nrfailed',
    'nrscheduled',
    'nrsucceeded',
    'nrtotal',
    'project',
    'starttime',
    'triggertime',
  ]);
});
