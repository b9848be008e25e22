// VM-test evidence in a real browser (Debian's Chromium through playwright-core), from real
// nix builds recorded by the queue runner: a genhtml report product renders with its own
// stylesheet and images, screenshot thumbnails decode, and the comparison with the previous
// build says how many pixels changed. Screenshots of each page go to test-artifacts/browser/.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { PACKAGE_ROOT } from '../../core/paths.ts';
import { createQueueRunner } from '../../queue-runner/index.ts';
import { createWebServer, type WebServer } from '../../server/index.ts';
import { productJob, screenScript } from '../helpers/evidence-jobs.ts';
import { QueueFixture } from '../helpers/queue-fixture.ts';
import { tempDir } from '../helpers/temp.ts';

const artifacts = join(PACKAGE_ROOT, 'test-artifacts', 'browser');
// Registered before the temp directories' own clean-up, so Chromium has stopped writing to its profile by then.
after(async () => {
  await browser?.close();
  await server?.stop();
});
const f = new QueueFixture();
const profile = tempDir('hydrant-chromium-');
let server: WebServer;
let browser: BrowserContext;
let page: Page;
let url = '';
const ids: Record<string, number> = {};

// genhtml as the report job runs it, on a tracefile of a source file written by the build.
const report = productJob(
  'report',
  [
    'mkdir -p $out/src',
    "printf 'int f(int x) {\\n  if (x)\\n    return 1;\\n  return 0;\\n}\\n' > $out/src/f.c",
    "printf '%s\\n' 'TN:' \"SF:$out/src/f.c\" 'FN:1,f' 'FNDA:2,f' 'DA:1,2' 'DA:2,2' 'DA:3,2' " +
      "'DA:4,0' 'end_of_record' > $out/f.info",
    'genhtml --quiet --output-directory $out/html $out/f.info 2>&1 | grep -v "Subroutine .* redefined" || true',
    'echo \'<script>document.title = "script ran"</script>\' >> $out/html/index.html',
  ].join('\n'),
  ['report coverage $out/html', 'file lcov $out/f.info'],
);
const screen = (n: number, x: number) =>
  productJob('screen', `# ${n}\n${screenScript('$out/screen.png', { width: 64, height: 48, x, y: 8 })}`, [
    'file screenshot $out/screen.png',
  ]);

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  const runner = createQueueRunner(f.config(), { log: f.log, db: f.db });
  Object.assign(ids, await f.queue(`{ report = ${report}; }`, 'reports'));
  ids['first'] = (await f.queue(`{ screen = ${screen(1, 8)}; }`))['screen']!;
  await runner.runOnce();
  ids['moved'] = (await f.queue(`{ screen = ${screen(2, 24)}; }`))['screen']!;
  await runner.runOnce();
  ids['same'] = (await f.queue(`{ screen = ${screen(3, 24)}; }`))['screen']!;
  await runner.runOnce();
  await runner.stop();
  server = createWebServer(f.config(['--port', '0']), { log: f.log, db: f.db });
  await server.start();
  url = server.url();
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = browser.pages()[0] ?? (await browser.newPage());
});

const shot = (name: string) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });

test('the genhtml report product renders with its own stylesheet and images, its scripts sandboxed', async () => {
  const r = await page.goto(`${url}/build/${ids['report']}/download/2`); // 1 is productJob's readme
  assert.equal(r?.status(), 200);
  assert.ok(page.url().endsWith(`/build/${ids['report']}/download/2/`), `redirected to the slash URL: ${page.url()}`);
  // gcov.css: td.title { text-align: center; font-size: 20pt } (a td is left-aligned without it).
  const title = await page.$eval('td.title', (e) => ({
    align: getComputedStyle(e).textAlign,
    size: getComputedStyle(e).fontSize,
  }));
  assert.deepEqual(title, { align: 'center', size: '26.6667px' }, 'a style from gcov.css is in effect');
  const images = await page.$$eval('img', (all) =>
    all.map((i) => ({ src: i.getAttribute('src'), ok: i.complete && i.naturalWidth > 0 })),
  );
  assert.ok(images.length > 0 && images.every((i) => i.ok), JSON.stringify(images));
  // Sandboxed: an opaque origin (reading the site's cookies throws) and the page's own scripts do not run.
  assert.equal(
    await page.evaluate(() => {
      try {
        return document.cookie;
      } catch {
        return 'refused';
      }
    }),
    'refused',
  );
  assert.doesNotMatch(await page.title(), /script ran/);
  await shot('evidence-1-genhtml');
});

test("the report build's coverage page in the browser", async () => {
  await page.goto(`${url}/build/${ids['report']}/coverage`);
  assert.match((await page.textContent('table.coverage')) ?? '', /src/);
  await page.click('table.coverage a[href*="dir="]');
  await page.click('table.coverage tbody a');
  assert.equal(await page.$eval('tr.uncovered td.ln', (e) => e.textContent), '4');
  assert.equal(
    await page.$eval('tr.uncovered', (e) => getComputedStyle(e).backgroundColor),
    'rgb(253, 226, 223)',
    'the uncovered line is highlighted',
  );
  await shot('evidence-2-coverage-file');
});

test('screenshot thumbnails decode, and the comparison counts changed pixels', async () => {
  await page.goto(`${url}/build/${ids['moved']}`);
  const thumbs = await page.$$eval('img.thumb', (all) => all.map((i) => (i as HTMLImageElement).naturalWidth));
  assert.deepEqual(thumbs, [64], 'the thumbnail decodes as a 64-pixel-wide image');
  assert.match((await page.textContent('.shot .changed')) ?? '', /^128 of 3072 pixels changed/);
  assert.equal(
    await page.$eval('img.diff-image', (i) => (i as HTMLImageElement).naturalWidth),
    64,
    'the difference image decodes',
  );
  await shot('evidence-3-screenshot-changed');
  await page.goto(`${url}/build/${ids['same']}`);
  assert.match((await page.textContent('.shot .changed')) ?? '', /^0 of 3072 pixels changed/);
  await page.goto(`${url}/job/p/main/screen/screenshots`);
  assert.equal((await page.$$('img.thumb')).length, 3);
  await shot('evidence-4-gallery');
});
