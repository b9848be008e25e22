// A running step's log streams live as server-sent events, following the file the queue
// runner appends to, and the stream ends when the step does.
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { finishStepAndBuild } from '../helpers/db.ts';
import { get } from '../helpers/http.ts';
import { waitFor } from '../helpers/wait.ts';
import { addEval, addJobset, addProject, runStep, startWebFixture, type WebFixture } from '../helpers/web-fixture.ts';

let w: WebFixture;
let build: number;
let stepnr: number;

before(async () => {
  w = await startWebFixture();
  addProject(w.db, 'live');
  build = addEval(w.db, addJobset(w.db, 'live', 'main'), [{ name: 'slow' }]).buildIds['slow']!;
  stepnr = runStep(w.db, w.stateDir, build, { log: 'line 1\nline 2\n', finish: false });
});
after(() => w.stop());

test('the log page of a running step links the live stream from where the page ends', async () => {
  const page = await get(`${w.url}/build/${build}/log`);
  assert.match(page.text, /still running/);
  // Handlebars escapes = and & in attributes; the browser reads them back as they were.
  assert.ok(
    page.text.includes(`data-live="/build/${build}/log/live?step&#x3D;${stepnr}&amp;from&#x3D;14" data-lines="2"`),
    'starts at byte 14, after line 2',
  );
  assert.match(page.text, /src="\/static\/live-log.js"/);
});

test('events carry the lines appended while the step runs, then an end event', async () => {
  const logFile = join(w.stateDir, `logs/${build}/${stepnr}.log`);
  const controller = new AbortController();
  const res = await fetch(`${w.url}/build/${build}/log/live?step=${stepnr}&from=7`, { signal: controller.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  let received = '';
  const reader = res.body!.getReader();
  const pump = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      received += Buffer.from(value).toString('utf8');
    }
  })();
  const texts = () =>
    [...received.matchAll(/^data: (\{.*\})$/gm)]
      .map((m) => (JSON.parse(m[1]!) as { text?: string }).text ?? '')
      .join('');
  await waitFor('the existing tail', () => texts() === 'line 2\n', 10);
  appendFileSync(logFile, 'line 3\npartial');
  await waitFor('line 3', () => texts() === 'line 2\nline 3\n', 10);
  assert.ok(!texts().includes('partial'), 'half a line waits for its newline');
  appendFileSync(logFile, ' line 4\n<script>x</script>\n');
  await waitFor('line 4', () => texts().endsWith('partial line 4\n<script>x</script>\n'), 10);
  finishStepAndBuild(w.db, build, { stepnr, result: { status: 0, errormsg: null, outputs: {} } }, null);
  await waitFor('the end event', () => /^event: end$/m.test(received), 10);
  await pump;
});

test('a finished step streams its remaining log and ends at once', async () => {
  const r = await get(`${w.url}/build/${build}/log/live?step=${stepnr}`);
  assert.match(r.text, /line 1\\nline 2\\nline 3\\npartial line 4/);
  assert.match(r.text, /event: end/);
});

test(`a very long log shows its first 200 and last 5000 lines with their own numbers, \
and a window of the rest on request`, async () => {
  const long = addEval(w.db, addJobset(w.db, 'live', 'long'), [{ name: 'chatty' }]).buildIds['chatty']!;
  runStep(w.db, w.stateDir, long, { log: Array.from({ length: 12_000 }, (_, i) => `line ${i + 1}`).join('\n') + '\n' });
  const page = await get(`${w.url}/build/${long}/log`);
  assert.match(
    page.text,
    /lines 201–7000 of 12000 are not shown: <a href="[^"]*\?start&#x3D;201">show lines 201–5200<\/a>/,
  );
  assert.match(page.text, /id="L200"><a class="ln" href="#L200">200<\/a>line 200</);
  assert.doesNotMatch(page.text, /id="L201"|id="L7000"/);
  assert.match(page.text, /id="L7001"><a class="ln" href="#L7001">7001<\/a>line 7001</);
  assert.match(page.text, /id="L12000"/);
  const window = await get(`${w.url}/build/${long}/log?start=201`);
  assert.match(window.text, /id="L201"/);
  assert.match(window.text, /id="L5200"/);
  assert.doesNotMatch(window.text, /id="L200"|id="L5201"/);
  assert.match(window.text, /show lines 1–200/);
  assert.match(window.text, /show lines 5201–10200/);
});
