// Build products are served from inside their own build output only, sandboxed. The
// products are real store paths (added with nix-store --add, symlinks kept as they are), so
// the check meets the store exactly as the queue runner's outputs are.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { get } from '../helpers/http.ts';
import { addEval, addJobset, addProject, runStep, startWebFixture, type WebFixture } from '../helpers/web-fixture.ts';
import { tempDir } from '../helpers/temp.ts';

const dir = tempDir();
let w: WebFixture;
let build: number;
let linkBuild: number;

/** Copies a directory tree into the store as it is (symlinks stay symlinks) and answers its store path. */
function addToStore(path: string): string {
  writeFileSync(join(path, '.nonce'), randomUUID());
  return execFileSync('nix-store', ['--option', 'build-users-group', '', '--add', path], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

const PRODUCTS = [
  'greeting.txt',
  'coverage',
  'root',
  'etc/passwd',
  'coverage/escape.txt',
  'db',
  'state',
  'sibling/secret.txt',
  'coverage/inside.txt',
  'state-wal',
];

before(async () => {
  w = await startWebFixture();
  const other = join(dir, 'other');
  mkdirSync(other);
  writeFileSync(join(other, 'secret.txt'), 'outside the product');
  const otherStorePath = addToStore(other);

  const out = join(dir, 'out');
  mkdirSync(join(out, 'coverage', 'sub'), { recursive: true });
  writeFileSync(join(out, 'coverage', 'index.html'), '<h1>coverage</h1><script>document.cookie</script>');
  writeFileSync(join(out, 'coverage', 'sub', 'page.txt'), 'inner page');
  writeFileSync(join(out, 'greeting.txt'), 'hello');
  symlinkSync('/etc/passwd', join(out, 'coverage', 'escape.txt')); // a file symlink out
  symlinkSync('../greeting.txt', join(out, 'coverage', 'inside.txt')); // a link that stays inside the output
  symlinkSync('/', join(out, 'root')); // a directory symlink out
  symlinkSync('/etc', join(out, 'etc')); // a symlink as a path component
  symlinkSync(join(w.stateDir, 'hydrant.sqlite'), join(out, 'db'));
  symlinkSync(join(w.stateDir, 'hydrant.sqlite-wal'), join(out, 'state-wal'));
  symlinkSync(w.stateDir, join(out, 'state'));
  symlinkSync(otherStorePath, join(out, 'sibling')); // another store path is outside this output too
  const storePath = addToStore(out);

  // An output that is itself a symlink (Nix allows it) contains nothing, not what it points at.
  const linkDir = join(dir, 'link-out');
  mkdirSync(linkDir);
  symlinkSync('/etc', join(linkDir, `etc-${randomUUID()}`));
  const linkOutput = execFileSync(
    'nix-store',
    ['--option', 'build-users-group', '', '--add', join(linkDir, readdirSync(linkDir)[0]!)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  ).trim();

  addProject(w.db, 'dl');
  const { buildIds } = addEval(w.db, addJobset(w.db, 'dl', 'main'), [
    { name: 'report', out: storePath },
    { name: 'linked', out: linkOutput },
  ]);
  linkBuild = buildIds['linked']!;
  runStep(w.db, w.stateDir, linkBuild, {
    log: 'ok\n',
    products: [
      {
        type: 'file',
        subtype: 'doc',
        path: linkOutput,
        name: 'l',
        defaultpath: null,
        filesize: null,
        sha256hash: null,
      },
      {
        type: 'file',
        subtype: 'doc',
        path: `${linkOutput}/passwd`,
        name: 'p',
        defaultpath: null,
        filesize: null,
        sha256hash: null,
      },
    ],
  });
  build = buildIds['report']!;
  const product = (path: string) => ({
    type: 'report',
    subtype: 'doc',
    path,
    name: path,
    defaultpath: null,
    filesize: null,
    sha256hash: null,
  });
  runStep(w.db, w.stateDir, build, {
    log: 'ok\n',
    products: [
      ...PRODUCTS.map((p) => product(`${storePath}/${p}`)),
      // Rows an older hydrant may have recorded: a file outside the store, and the database itself.
      product(join(other, 'secret.txt')),
      product(join(w.stateDir, 'hydrant.sqlite')),
    ],
  });
});
after(() => w.stop());

const nrOf = (path: string) => PRODUCTS.indexOf(path) + 1;

test('a file product downloads with a sandboxing CSP', async () => {
  const r = await get(`${w.url}/build/${build}/download/${nrOf('greeting.txt')}`);
  assert.equal(r.status, 200);
  assert.equal(r.text, 'hello');
  assert.equal(r.headers.get('content-security-policy'), 'sandbox');
});

test('a directory product serves index.html and files below it', async () => {
  const index = await get(`${w.url}/build/${build}/download/${nrOf('coverage')}/`);
  assert.equal(index.status, 200);
  assert.match(index.text, /coverage/);
  assert.match(index.headers.get('content-type') ?? '', /text\/html/);
  assert.equal(index.headers.get('content-security-policy'), 'sandbox', 'a report cannot run script as this site');
  assert.equal((await get(`${w.url}/build/${build}/download/${nrOf('coverage')}/sub/page.txt`)).text, 'inner page');
});

test('a symlink that stays inside the output is followed', async () => {
  assert.equal((await get(`${w.url}/build/${build}/download/${nrOf('coverage')}/inside.txt`)).text, 'hello');
  assert.equal((await get(`${w.url}/build/${build}/download/${nrOf('coverage/inside.txt')}`)).text, 'hello');
});

test('the latest redirect reaches a product through appended segments', async () => {
  const r = await get(`${w.url}/job/dl/main/report/latest/download/2/sub/page.txt`);
  assert.equal(r.headers.get('location'), `/build/${build}/download/2/sub/page.txt`);
});

test('traversal attempts are refused: .., encoded .., encoded slashes, symlinks out, missing products', async () => {
  const c = nrOf('coverage');
  for (const path of [
    `${c}/../greeting.txt`,
    `${c}/%2e%2e/greeting.txt`,
    `${c}/sub%2F..%2F..%2Fgreeting.txt`,
    `${c}/..%2f..%2fsecret.txt`,
    `${c}/escape.txt`,
    `${c}/%2e%2e/%2e%2e/secret.txt`,
    `${c}/nothing.txt`,
    '99',
    '1/extra',
    `${c}/sub/%00`,
  ]) {
    const r = await get(`${w.url}/build/${build}/download/${path}`);
    assert.equal(r.status, 404, `${path} → ${r.status}`);
    assert.doesNotMatch(r.text, /outside the product/);
  }
});

test(`symlinks out of the output are refused in all three forms, \
and nothing outside /nix/store is served`, async () => {
  const urls = [
    `${nrOf('coverage/escape.txt')}`, // a product that is a file symlink to /etc/passwd
    `${nrOf('root')}`,
    `${nrOf('root')}/etc/passwd`,
    `${nrOf('root')}/etc/hostname`, // a directory symlink to /
    `${nrOf('etc/passwd')}`, // a symlink as a component of the product's path
    `${nrOf('sibling/secret.txt')}`, // a link into another store path
    `${nrOf('db')}`,
    `${nrOf('state-wal')}`,
    `${nrOf('state')}/hydrant.sqlite`,
    `${nrOf('state')}/hydrant.sqlite-wal`,
    `${nrOf('state')}/hydrant.sqlite-shm`,
    `${PRODUCTS.length + 1}`,
    `${PRODUCTS.length + 2}`, // rows naming files outside the store
  ];
  for (const url of urls) {
    const r = await get(`${w.url}/build/${build}/download/${url}`);
    assert.equal(r.status, 404, `download/${url} → ${r.status}`);
    assert.doesNotMatch(r.text, /root:|SQLite format|outside the product/, url);
  }
});

test('an output that is itself a symlink serves nothing', async () => {
  for (const url of ['1', '1/passwd', '2']) {
    const r = await get(`${w.url}/build/${linkBuild}/download/${url}`);
    assert.equal(r.status, 404, url);
    assert.doesNotMatch(r.text, /root:/);
  }
});
