// Coverage files and screenshots of builds, recorded by the real queue runner from real
// nix builds, as their pages show them; and every kind of bad input: truncated, binary and
// hostile tracefiles (../ and foreign absolute paths, counts of 10^18, a million files),
// PNGs that are not PNGs or declare 50,000 × 50,000 pixels. Each gets a clear message on
// the page and in the step log; the build's status and other products are unaffected.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildProducts, buildSteps, getBuild } from '../../core/db/builds.ts';
import { readStepLog } from '../helpers/step-log.ts';
import { createQueueRunner } from '../../queue-runner/index.ts';
import { createWebServer } from '../../server/index.ts';
import { productJob, screenScript } from '../helpers/evidence-jobs.ts';
import { get } from '../helpers/http.ts';
import { QueueFixture } from '../helpers/queue-fixture.ts';

const HUGE_PNG =
  "printf '\\211PNG\\r\\n\\032\\n\\000\\000\\000\\rIHDR\\000\\000\\303P\\000\\000\\303P" +
  "\\010\\006\\000\\000\\000\\000\\000\\000\\000' > $out/huge.png";
const STORE_SRC = '/nix/store/0123456789abcdfghijklmnpqrsvwxyz-proj-src';
const A_INFO = [
  'TN:',
  `SF:${STORE_SRC}/src/main.c`,
  'FN:1,main',
  'FNDA:1,main',
  'FN:5,unused',
  'FNDA:0,unused',
  'DA:1,1',
  'DA:2,1000000000000000000',
  'DA:5,0',
  'BRDA:2,0,0,1',
  'BRDA:2,0,1,-',
  'end_of_record',
];
const B_INFO = [
  `SF:${STORE_SRC}/src/main.c`,
  'DA:2,1000000000000000000',
  'DA:5,0',
  'BRDA:2,0,1,3',
  'end_of_record',
  'SF:/build/source/lib/util.c',
  'DA:1,0',
  'end_of_record',
];
const lines = (file: string, l: string[]) => `printf '%s\\n' ${l.map((x) => `'${x}'`).join(' ')} > ${file}`;

const HOSTILE_INFO = [
  'SF:../../../etc/passwd',
  'DA:1,1',
  'end_of_record',
  'SF:/etc/shadow',
  'DA:1,0',
  'end_of_record',
  'SF:/tmp/<script>alert(1)</script>.c',
  'DA:1,1',
  'end_of_record',
];
const MILLION_FILES =
  `awk 'BEGIN { for (i = 0; i < 1000000; i++) printf "SF:/src/f%d.c\\nDA:1,1\\nend_of_record\\n", i }' ` +
  '> $out/m.info';
const GALLERY = [
  'mkdir $out/shots',
  screenScript('$out/shots/a.png', { width: 16, height: 16, x: 0, y: 0 }),
  screenScript('$out/shots/b.png', { width: 16, height: 16, x: 8, y: 8 }),
].join('\n');

const JOBS: Record<string, string> = {
  good: productJob('good', `${lines('$out/a.info', A_INFO)}\n${lines('$out/b.info', B_INFO)}`, [
    'file lcov $out/a.info',
    'file lcov $out/b.info',
  ]),
  truncated: productJob('truncated', `printf 'SF:${STORE_SRC}/x/t.c\\nDA:1,1\\nDA:2,0\\nDA:3,' > $out/t.info`, [
    'file lcov $out/t.info',
  ]),
  binary: productJob('binary', 'head -c 65536 /dev/urandom > $out/garbage.info', ['file lcov $out/garbage.info']),
  hostile: productJob('hostile', lines('$out/h.info', HOSTILE_INFO), ['file lcov $out/h.info']),
  million: productJob('million', MILLION_FILES, ['file lcov $out/m.info']),
  gallery: productJob('gallery', GALLERY, ['report screenshot $out/shots']),
  pictures: productJob('pictures', `echo 'not a picture' > $out/fake.png\n${HUGE_PNG}`, [
    'file screenshot $out/fake.png',
    'file screenshot $out/huge.png',
  ]),
};
const jobs = `{\n${Object.entries(JOBS)
  .map(([name, job]) => `  ${name} = ${job};\n`)
  .join('')}}`;

test('coverage and screenshots of real builds, and every kind of bad input', async () => {
  const f = new QueueFixture();
  const ids = await f.queue(jobs);
  const runner = createQueueRunner(f.config(), { log: f.log, db: f.db });
  await runner.runOnce();
  await runner.stop();
  const server = createWebServer(f.config(['--port', '0']), { log: f.log, db: f.db });
  await server.start();
  try {
    const page = async (path: string, json = false) => {
      const r = await get(`${server.url()}${path}`, { json });
      assert.equal(r.status, 200, `${path}: ${r.text.slice(0, 400)}`);
      return json ? (r.json() as Record<string, unknown>) : r.text;
    };
    const stepLog = (id: number) => readStepLog(f.stateDir, buildSteps(f.db, id).at(-1)!.logfile) ?? '';
    for (const [job, id] of Object.entries(ids)) {
      assert.equal(getBuild(f.db, id)!.buildstatus, 0, `${job} still succeeds`);
      assert.ok(
        buildProducts(f.db, id).some((p) => p.subtype === 'doc'),
        `${job} keeps its other products`,
      );
    }

    // Merged as lcov -a: hits summed per line, "-" + 3 = 3, the union of files; 10^18 kept.
    const good = (await page(`/build/${ids['good']}/coverage`, true)) as {
      lines: unknown;
      functions: unknown;
      branches: unknown;
      files: { path: string }[];
    };
    assert.deepEqual(
      [good.lines, good.functions, good.branches],
      [
        { hit: 2, found: 4, percent: 50 },
        { hit: 1, found: 2, percent: 50 },
        { hit: 2, found: 2, percent: 100 },
      ],
    );
    assert.deepEqual(
      good.files.map((x) => x.path),
      ['lib/util.c', 'src/main.c'],
    );
    const file = (await page(`/build/${ids['good']}/coverage/src/main.c`, true)) as { lines: Record<string, number> };
    assert.equal(file.lines['2'], Number.MAX_SAFE_INTEGER, '2 × 10^18 hits are kept at the largest exact count');
    const table = (await page(`/build/${ids['good']}/coverage?sort=lines&order=desc`)) as string;
    assert.ok(table.indexOf('>src</a>') < table.indexOf('>lib</a>'), 'sorted by line coverage, highest first');
    assert.match(
      (await page(`/build/${ids['good']}/coverage?dir=src`)) as string,
      /href="\/build\/\d+\/coverage\/src\/main\.c"/,
    );
    assert.match((await page(`/build/${ids['good']}`)) as string, /50\.0%/, 'the build page shows the summary');
    const metrics = (await page(`/build/${ids['good']}`, true)) as { buildmetrics: Record<string, { value: number }> };
    assert.deepEqual(
      [
        metrics.buildmetrics['lineCoverage']?.value,
        metrics.buildmetrics['functionCoverage']?.value,
        metrics.buildmetrics['branchCoverage']?.value,
      ],
      [50, 50, 100],
    );

    const truncated = (await page(`/build/${ids['truncated']}/coverage`)) as string;
    assert.match(truncated, /t\.info: truncated: the last source file record has no end_of_record/);
    assert.match(stepLog(ids['truncated']!), /coverage: t\.info: truncated/);

    const binary = (await page(`/build/${ids['binary']}/coverage`)) as string;
    assert.match(binary, /garbage\.info: not an lcov tracefile/);
    assert.match(stepLog(ids['binary']!), /coverage: garbage\.info: not an lcov tracefile/);

    const hostile = (await page(`/build/${ids['hostile']}/coverage?dir=..%2F..%2F..%2Fetc`)) as string;
    assert.match(hostile, /outside any source/);
    const passwd = (await page(`/build/${ids['hostile']}/coverage/..%2F..%2F..%2Fetc%2Fpasswd`)) as string;
    assert.match(passwd, /Source not shown: the source file lies outside any store path/);
    assert.doesNotMatch(passwd, /root:x:0/, '/etc/passwd is never read');
    const script = (await page(`/build/${ids['hostile']}/coverage`)) as string;
    assert.doesNotMatch(script, /<script>alert/);
    assert.match(script, /&lt;script&gt;alert/);

    const million = (await page(`/build/${ids['million']}/coverage`, true)) as {
      problems: string[];
      lines: { found: number };
    };
    assert.match(
      million.problems.join('\n'),
      /m\.info: more than 100000 source files in this build; the rest is left out/,
    );
    assert.equal(million.lines.found, 100_000);
    assert.match(stepLog(ids['million']!), /more than 100000 source files/);
    assert.match(
      (await page(`/build/${ids['million']}/coverage?dir=%2Fsrc`)) as string,
      /98000 more rows are not shown/,
      'a page shows at most 2,000 rows',
    );

    const gallery = (await page(`/build/${ids['gallery']}`)) as string;
    assert.deepEqual(
      [...gallery.matchAll(/<img class="thumb" src="([^"]+)"/g)].map((m) => m[1]),
      [`/build/${ids['gallery']}/download/2/a.png`, `/build/${ids['gallery']}/download/2/b.png`],
      'the PNGs of a report screenshot directory',
    );

    const pictures = (await page(`/build/${ids['pictures']}`)) as string;
    assert.match(pictures, /fake\.png is not a PNG image/);
    assert.match(pictures, /huge\.png declares 50000 × 50000 pixels, more than the 16777216 hydrant decodes/);
    assert.match(stepLog(ids['pictures']!), /screenshot: huge\.png declares 50000 × 50000 pixels/);
    assert.match(stepLog(ids['pictures']!), /screenshot: fake\.png is not a PNG image/);
  } finally {
    await server.stop();
  }
});

test(`screenshots are compared with the previous successful build's: changed pixels when the screen changed, \
0 when not`, async () => {
  const f = new QueueFixture();
  const shot = (n: number, x: number) => {
    const script = `# ${n}\n${screenScript('$out/screen.png', { width: 64, height: 48, x, y: 8 })}`;
    return `{ screen = ${productJob('screen', script, ['file screenshot $out/screen.png'])}; }`;
  };
  const runner = createQueueRunner(f.config(), { log: f.log, db: f.db });
  const first = (await f.queue(shot(1, 8)))['screen']!;
  await runner.runOnce();
  const moved = (await f.queue(shot(2, 24)))['screen']!;
  await runner.runOnce();
  const same = (await f.queue(shot(3, 24)))['screen']!;
  await runner.runOnce();
  await runner.stop();
  const server = createWebServer(f.config(['--port', '0']), { log: f.log, db: f.db });
  await server.start();
  try {
    const metrics = async (id: number) =>
      (
        (await get(`${server.url()}/build/${id}`, { json: true })).json() as {
          buildmetrics: Record<string, { value: number }>;
        }
      ).buildmetrics;
    assert.equal((await metrics(first))['screenshotChangedPixels'], undefined, 'nothing to compare the first with');
    assert.equal(
      (await metrics(moved))['screenshotChangedPixels']?.value,
      128,
      'the block left 64 pixels and covered 64 others',
    );
    assert.equal((await metrics(same))['screenshotChangedPixels']?.value, 0);
    const page = (await get(`${server.url()}/build/${moved}`)).text;
    assert.match(page, /128 of 3072 pixels changed \(4\.2%\)/);
    assert.match(page, new RegExp(`against <a href="/build/${first}">build ${first}</a>`));
    const diffUrl = /src="(\/build\/\d+\/screenshot-diff\/\d+)"/.exec(page)![1]!;
    const diff = await fetch(`${server.url()}${diffUrl}`);
    assert.equal(diff.headers.get('content-type'), 'image/png');
    assert.deepEqual([...new Uint8Array(await diff.arrayBuffer()).subarray(1, 4)], [0x50, 0x4e, 0x47]);
    assert.match((await get(`${server.url()}/build/${same}`)).text, /0 of 3072 pixels changed/);
    const gallery = (await get(`${server.url()}/job/p/main/screen/screenshots`, { json: true })).json() as {
      build: number;
      changedPixels: number | null;
    }[];
    assert.deepEqual(
      gallery.map((s) => [s.build, s.changedPixels]),
      [
        [same, 0],
        [moved, 128],
        [first, null],
      ],
    );
    assert.match(
      (await get(`${server.url()}/job/p/main/screen`)).text,
      /href="\/job\/p\/main\/screen\/screenshots"/,
      'the job page shows the latest',
    );
  } finally {
    await server.stop();
  }
});
