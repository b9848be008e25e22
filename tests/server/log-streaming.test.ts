// Logs stream: a real 50 MB log is served raw, gzipped, tailed and paged without the server
// holding it in memory; live-log clients that never read cost a chunk each and are dropped;
// a slow live reader gets the whole log, last line included, across the compression at the
// end of the step.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync, statSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, before, test } from 'node:test';
import { createGunzip, createGzip } from 'node:zlib';
import { readConfig } from '../../core/config.ts';
import { openDatabase, type Db } from '../../core/db/database.ts';
import { migrate } from '../../core/db/migrate.ts';
import { setStepLogfile } from '../../core/db/steps.ts';
import { createLogger } from '../../core/log.ts';
import { StepLog } from '../../queue-runner/step-log.ts';
import { createWebServer, type WebServer } from '../../server/index.ts';
import { createRenderer, type Render } from '../../server/render.ts';
import { finishStepAndBuild } from '../helpers/db.ts';
import { tempDir } from '../helpers/temp.ts';
import { waitFor } from '../helpers/wait.ts';
import { addEval, addJobset, addProject, runStep } from '../helpers/web-fixture.ts';

const dir = tempDir();
const stateDir = join(dir, 'state');
let db: Db;
let server: WebServer;
let url: string;
let serverLog = '';
const LINES = 700_000;
let bigBuild: number;
let bigHash: string;
let bigBytes = 0;
let renderedBatches = 0;

const line = (i: number) => `line ${i} ${'x'.repeat(60)} <b>&\n`;

before(async () => {
  const { config } = readConfig(
    ['--state-dir', stateDir, '--port', '0', '--gc-roots-dir', join(dir, 'gcroots'), '--live-log-stall', '1'],
    {},
  );
  db = openDatabase(config.dbPath);
  migrate(db);
  const capture = new PassThrough();
  capture.on('data', (d: Buffer) => {
    serverLog += d.toString();
  });
  const templates = createRenderer();
  const render: Render = Object.assign((template: string, data: object) => templates(template, data), {
    fragment: (partial: string, data: object) => {
      if (partial === 'log-lines') renderedBatches++;
      return templates.fragment(partial, data);
    },
  });
  server = createWebServer(config, { log: createLogger('info', capture), db, render });
  await server.start();
  url = server.url();
  addProject(db, 'logs');
  bigBuild = addEval(db, addJobset(db, 'logs', 'big'), [{ name: 'big' }]).buildIds['big']!;
  const stepnr = runStep(db, stateDir, bigBuild, { log: '' });
  // About 50 MB of text, compressed as the queue runner leaves it, never held in memory here.
  const gz = join(stateDir, `logs/${bigBuild}/${stepnr}.log.gz`);
  mkdirSync(dirname(gz), { recursive: true });
  const hash = createHash('sha256');
  async function* text() {
    for (let i = 1; i <= LINES; i += 1000) {
      const chunk = Buffer.from(
        Array.from({ length: 1000 }, (_, k) => line(i + k)).join('') +
          (i + 1000 > LINES ? 'the last line has no newline' : ''),
      );
      hash.update(chunk);
      bigBytes += chunk.length;
      yield chunk;
    }
  }
  await pipeline(text, createGzip(), createWriteStream(gz));
  bigHash = hash.digest('hex');
  setStepLogfile(db, bigBuild, stepnr, `logs/${bigBuild}/${stepnr}.log.gz`);
});
after(async () => {
  await server.stop();
  db.close();
});

function httpGet(path: string, headers: Record<string, string> = {}): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { headers }, resolve);
    req.on('error', reject);
    req.end();
  });
}

async function digest(stream: NodeJS.ReadableStream): Promise<{ hash: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { hash: hash.digest('hex'), bytes };
}

test('a 50 MB log: raw, gzipped raw, tail and the pretty page, with bounded memory', async () => {
  assert.ok(bigBytes > 50_000_000, `${bigBytes} bytes`);
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  try {
    const started = performance.now();
    const plain = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const res = await httpGet(`/build/${bigBuild}/log/raw`);
        assert.equal(res.headers['content-encoding'], undefined);
        return digest(res);
      }),
    );
    for (const d of plain) assert.deepEqual(d, { hash: bigHash, bytes: bigBytes });
    // All log answers share --log-bandwidth (100 MiB/s by default), whoever asks.
    const seconds = (performance.now() - started) / 1000;
    const least = (8 * bigBytes) / (100 * 1024 * 1024) - 0.1;
    assert.ok(seconds >= least, `8 × ${bigBytes} bytes in ${seconds.toFixed(2)} s, at least ${least.toFixed(2)} s`);
    const gzipped = await httpGet(`/build/${bigBuild}/log/raw`, { 'Accept-Encoding': 'gzip' });
    assert.equal(gzipped.headers['content-encoding'], 'gzip');
    assert.deepEqual(await digest(gzipped.pipe(createGunzip())), { hash: bigHash, bytes: bigBytes });

    const tail = await (await fetch(`${url}/build/${bigBuild}/log/tail?lines=3`)).text();
    assert.equal(tail, line(LINES - 1) + line(LINES) + 'the last line has no newline\n');
    const pages = await Promise.all(
      Array.from({ length: 8 }, async () => (await fetch(`${url}/build/${bigBuild}/log`)).text()),
    );
    for (const page of pages) {
      assert.match(page, /id="L200">/);
      assert.match(page, new RegExp(`lines 201–${LINES + 1 - 5000} of ${LINES + 1} are not shown`));
      assert.match(
        page,
        new RegExp(
          `id="L${LINES + 1}"><a class="ln" href="#L${LINES + 1}">${LINES + 1}</a>the last line has no newline`,
        ),
      );
      assert.match(page, /&lt;b&gt;&amp;/, 'escaped');
      assert.ok(page.length < 3_000_000, `page of ${page.length} bytes`);
    }
  } finally {
    clearInterval(sampler);
  }
  // Reading it whole per request, as before, took 8 × 50 MB and more.
  assert.ok(peak - rssBefore < 150_000_000, `memory grew by ${Math.round((peak - rssBefore) / 1e6)} MB`);
});

test('a crowd arriving at once on the pretty page of a finished log renders it once', async () => {
  const before = renderedBatches;
  const page = `/build/${bigBuild}/log?start=100001`;
  const pages = await Promise.all(Array.from({ length: 16 }, async () => (await fetch(`${url}${page}`)).text()));
  // 5,000 lines in batches of 500: ten batches for all sixteen readers, not ten each.
  assert.equal(renderedBatches - before, 10, `${renderedBatches - before} batches rendered for 16 readers`);
  for (const p of pages) {
    assert.match(p, /id="L100001">/);
    assert.match(p, /id="L105000">/);
    assert.equal(p, pages[0]);
  }
});

test('a reader that never reads the pretty page holds up nobody', async () => {
  const page = `/build/${bigBuild}/log?start=300001`;
  const stalled = await httpGet(page);
  stalled.pause();
  const pages = await Promise.all(Array.from({ length: 4 }, async () => (await fetch(`${url}${page}`)).text()));
  for (const p of pages) assert.match(p, /id="L305000">[\s\S]*<\/html>/);
  stalled.destroy();
});

test('live-log clients that never read cost little and are dropped; a reading client gets the whole log', async () => {
  const build = addEval(db, addJobset(db, 'logs', 'stall'), [{ name: 'stall' }]).buildIds['stall']!;
  const stepnr = runStep(db, stateDir, build, { log: '', finish: false });
  const file = join(stateDir, `logs/${build}/${stepnr}.log`);
  const out = createWriteStream(file);
  for (let i = 0; i < 200; i++) out.write(Array.from({ length: 1000 }, (_, k) => line(i * 1000 + k)).join(''));
  await new Promise<void>((resolve) => out.end(resolve));
  const size = statSync(file).size;
  const rssBefore = process.memoryUsage().rss;
  const stalled = await Promise.all(
    Array.from({ length: 20 }, async () => {
      const res = await httpGet(`/build/${build}/log/live?step=${stepnr}`);
      res.pause();
      return res;
    }),
  );
  await waitFor(
    'the stalled clients to be dropped',
    () => (serverLog.match(/dropped a live-log client that stayed behind/g)?.length ?? 0) >= 20,
    30,
  );
  // 20 × 14 MB of events (JSON-escaped) would be buffered without back-pressure.
  assert.ok(
    process.memoryUsage().rss - rssBefore < 120_000_000,
    `memory grew by ${Math.round((process.memoryUsage().rss - rssBefore) / 1e6)} MB`,
  );
  for (const res of stalled) res.destroy();

  const reader = await httpGet(`/build/${build}/log/live?step=${stepnr}`);
  const received = collectEvents(reader);
  finishStepAndBuild(db, build, { stepnr, result: { status: 0, errormsg: null, outputs: {} } }, null);
  const { text, ended } = await received;
  assert.ok(ended);
  assert.equal(Buffer.byteLength(text), size);
});

async function collectEvents(res: IncomingMessage): Promise<{ text: string; ended: boolean }> {
  let raw = '';
  for await (const chunk of res as AsyncIterable<Buffer>) raw += chunk.toString('utf8');
  const text = [...raw.matchAll(/^data: (\{.*\})$/gm)]
    .map((m) => (JSON.parse(m[1]!) as { text?: string }).text ?? '')
    .join('');
  return { text, ended: /^event: end$/m.test(raw) };
}

test('a slow live reader gets every line, the last without a newline, across the compression at the end', async () => {
  const build = addEval(db, addJobset(db, 'logs', 'race'), [{ name: 'race' }]).buildIds['race']!;
  const stepnr = runStep(db, stateDir, build, { log: '', finish: false });
  const relative = `logs/${build}/${stepnr}.log`;
  const log = new StepLog(stateDir, relative, 0, () => undefined);
  let expected = '';
  const write = (s: string) => {
    log.write(s);
    expected += s;
  };
  for (let i = 0; i < 20_000; i++) write(line(i));
  await new Promise((r) => setTimeout(r, 100));
  const reader = await httpGet(`/build/${build}/log/live?step=${stepnr}`);
  reader.pause();
  for (let i = 20_000; i < 40_000; i++) write(line(i));
  write('the end, without a newline');
  log.close();
  // As the queue runner ends a step: the row says finished, the log is compressed, the plain file goes.
  finishStepAndBuild(db, build, { stepnr, result: { status: 0, errormsg: null, outputs: {} } }, null);
  setStepLogfile(db, build, stepnr, await log.compress());
  log.removePlain();
  reader.resume();
  const { text, ended } = await collectEvents(reader);
  assert.ok(ended);
  assert.equal(text.length, expected.length);
  assert.ok(text === expected, 'the same text');
  assert.equal(readFileSync(join(stateDir, `${relative}.gz`)).length > 0, true);
});
