// The site in a real browser: Debian's Chromium driven by playwright-core. Log in, open a
// jobset, open a build, watch a running build's log grow live, restart it. Screenshots of
// each page go to test-artifacts/browser/.
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { PACKAGE_ROOT } from '../../core/paths.ts';
import { finishStepAndBuild, queueCommands } from '../helpers/db.ts';
import { tempDir } from '../helpers/temp.ts';
import {
  addEval,
  addJobset,
  addProject,
  addUser,
  runStep,
  startWebFixture,
  type WebFixture,
} from '../helpers/web-fixture.ts';

const artifacts = join(PACKAGE_ROOT, 'test-artifacts', 'browser');
let w: WebFixture;
let browser: BrowserContext;
// Registered before the temp directories' own clean-up (hooks run in the order they were
// registered), so Chromium has stopped writing to its profile by then.
after(async () => {
  await browser?.close();
  await w?.stop();
});
const profile = tempDir('hydrant-chromium-');
let page: Page;
let running: number;
let stepnr: number;
let evalId: number;

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  w = await startWebFixture();
  addProject(w.db, 'web', { displayname: 'Web project' });
  const e = addEval(w.db, addJobset(w.db, 'web', 'main'), [{ name: 'done' }, { name: 'broken' }, { name: 'running' }]);
  evalId = e.evalId;
  runStep(w.db, w.stateDir, e.buildIds['done']!, { log: 'all good\n' });
  runStep(w.db, w.stateDir, e.buildIds['broken']!, { log: 'compiling\nerror: syntax\n', status: 1 });
  running = e.buildIds['running']!;
  stepnr = runStep(w.db, w.stateDir, running, { log: 'starting the VM test\n', finish: false });
  await addUser(w.db, 'ada', 'lovelace-1815', [], ['web']);
  // A fresh profile directory each run (playwright passes it as --user-data-dir).
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

test('log in through the form', async () => {
  await page.goto(`${w.url}/login`);
  await page.fill('input[name=username]', 'ada');
  await page.fill('input[name=password]', 'lovelace-1815');
  await shot('1-login');
  await Promise.all([page.waitForURL(`${w.url}/`), page.click('button[type=submit]')]);
  assert.match((await page.textContent('header .who')) ?? '', /ada/);
  await shot('2-projects');
});

test('open the project and the jobset with its status matrix', async () => {
  await page.click('text=Web project');
  await page.click('a[href="/jobset/web/main"]');
  assert.equal(new URL(page.url()).pathname, '/jobset/web/main');
  assert.equal(await page.locator('table.matrix a.cell.failure').count(), 1);
  assert.equal(await page.locator('table.matrix a.cell.success').count(), 1);
  await shot('3-jobset');
  await page.goto(`${w.url}/eval/${evalId}`);
  await shot('4-eval');
});

test('open the failed build: why it failed, with the log tail', async () => {
  await page.goto(`${w.url}/jobset/web/main`);
  await page.click('table.matrix a.cell.failure');
  assert.match((await page.textContent('.error-box')) ?? '', /error: syntax/);
  await shot('5-failed-build');
});

test("watch a running build's log grow live, then end", async () => {
  await page.goto(`${w.url}/build/${running}/log`);
  await page.waitForSelector('#L1');
  const logFile = join(w.stateDir, `logs/${running}/${stepnr}.log`);
  appendFileSync(logFile, 'booting the machine\n');
  await page.waitForSelector('#L2:has-text("booting the machine")', { timeout: 10_000 });
  appendFileSync(logFile, 'test passed\n');
  await page.waitForSelector('#L3:has-text("test passed")', { timeout: 10_000 });
  await shot('6-live-log');
  finishStepAndBuild(
    w.db,
    running,
    { stepnr, result: { status: 0, errormsg: null, outputs: {} } },
    {
      status: 0,
      isCachedBuild: false,
      startTime: Math.floor(Date.now() / 1000) - 5,
      stopTime: Math.floor(Date.now() / 1000),
      size: null,
      closureSize: null,
      releaseName: null,
      products: [],
      metrics: [],
    },
  );
  await page.waitForSelector('#live-status:has-text("finished")', { timeout: 10_000 });
});

test('restart the build: a same-origin form POST that leaves a request for the queue runner', async () => {
  await page.goto(`${w.url}/build/${running}`);
  await shot('7-build');
  await Promise.all([page.waitForURL(`${w.url}/build/${running}`), page.click('button:has-text("Restart")')]);
  const rows = queueCommands(w.db).map(({ kind, build_id, username }) => ({ kind, build_id, username }));
  assert.deepEqual(rows, [{ kind: 'restart', build_id: running, username: 'ada' }]);
  await shot('8-after-restart');
});

test('relative times stay true while a page stays open', async () => {
  // A page of its own with a fake clock, so the other pages keep real time.
  const clockPage = await browser.newPage();
  try {
    await clockPage.clock.install({ time: new Date() });
    await clockPage.goto(`${w.url}/build/${running}`);
    const queued = clockPage.locator('dd[data-time]').first();
    assert.match((await queued.textContent()) ?? '', /just now|seconds ago/, 'the server renders the first value');
    await clockPage.clock.fastForward('02:00:00');
    assert.equal(await queued.textContent(), '2 hours ago');
  } finally {
    await clockPage.close();
  }
});
