// Beyond Hydra: a jobset's `schedule`, a cron expression read by node-cron, beside
// `checkinterval`: at each time it names, the jobset is evaluated even if no input changed.
// Validated like every spec key; shown on the jobset page.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { listEvals } from '../../core/db/evals.ts';
import { markScheduleChecked } from '../../core/db/jobset-schedules.ts';
import { getJobset, triggerEvaluation, upsertJobsetFromSpec } from '../../core/db/jobsets.ts';
import { parseJobsetSpec, SpecError } from '../../core/jobset-specs/validate.ts';
import { fireDueSchedules } from '../../evaluator/schedules.ts';
import { evaluatorFixture, gitJobset, ReleaseRepo } from '../helpers/evaluator-fixture.ts';
import { get } from '../helpers/http.ts';
import { addProject, addUser, login, startWebFixture } from '../helpers/web-fixture.ts';

const spec = (schedule: unknown) => ({
  nixexprinput: 'src',
  nixexprpath: 'release.nix',
  schedule,
  inputs: { src: { type: 'git', value: '/tmp/x' } },
});

test('a schedule is validated: five cron fields node-cron accepts, with a message that names the key', () => {
  assert.equal(parseJobsetSpec('main', spec('0 3 * * *'), 'p.json').schedule, '0 3 * * *');
  assert.equal(parseJobsetSpec('main', spec(' */15 * * * 1-5 '), 'p.json').schedule, '*/15 * * * 1-5');
  assert.equal(parseJobsetSpec('main', { ...spec(''), schedule: undefined }, 'p.json').schedule, '');
  assert.throws(
    () => parseJobsetSpec('main', spec('61 * * * *'), 'p.json'),
    (e: Error) => e instanceof SpecError && /"schedule" "61 \* \* \* \*" is not a schedule: minute: 61/.test(e.message),
  );
  assert.throws(() => parseJobsetSpec('main', spec('0 0 3 * * *'), 'p.json'), /five fields .*got 6/);
  assert.throws(() => parseJobsetSpec('main', spec('nightly'), 'p.json'), /"schedule" "nightly" is not a schedule/);
  assert.throws(() => parseJobsetSpec('main', spec(3), 'p.json'), /"schedule"/);
});

test('at a scheduled time the jobset is evaluated once, even with unchanged inputs', async () => {
  const f = evaluatorFixture();
  const repo = new ReleaseRepo(join(f.dir, 'repo'), 'a = job "a";');
  f.writeSpec('p', { jobsets: { main: gitJobset(repo.dir, { checkinterval: 0, schedule: '0 3 * * *' }) } });
  f.sync();
  const jobsetId = getJobset(f.db, 'p', 'main')!.id;
  triggerEvaluation(f.db, jobsetId);
  assert.equal((await f.evaluator.runOnce())[0]?.kind, 'evaluated');
  assert.deepEqual(await f.evaluator.runOnce(), [], 'checkinterval 0: nothing more on its own');

  // A day in the future, so the real clock the evaluator also looks at never fires it.
  const day = Math.ceil(Date.now() / 1000 / 86400) * 86400 + 10 * 86400;
  const at = (h: number, m: number, s = 0) => day + h * 3600 + m * 60 + s;
  markScheduleChecked(f.db, jobsetId, at(2, 58));
  assert.deepEqual(fireDueSchedules(f.db, at(2, 59, 30)), []);
  assert.deepEqual(fireDueSchedules(f.db, at(3, 0, 10)), [jobsetId]);
  assert.deepEqual(fireDueSchedules(f.db, at(3, 0, 40)), [], 'the same minute fires once');
  assert.deepEqual(fireDueSchedules(f.db, at(3, 5)), []);
  const outcomes = await f.evaluator.runOnce();
  assert.deepEqual(
    outcomes.map((o) => o.kind),
    ['evaluated'],
    'a new evaluation although no input changed',
  );
  assert.equal(listEvals(f.db, jobsetId, 10).length, 2);
  // Missed while the evaluator was down: caught up once when it is back.
  assert.deepEqual(fireDueSchedules(f.db, at(27, 30)), [jobsetId]);
});

test('the jobset page shows the schedule and its next time', async () => {
  const w = await startWebFixture();
  try {
    addProject(w.db, 'demo');
    upsertJobsetFromSpec(
      w.db,
      'demo',
      parseJobsetSpec(
        'nightly',
        { ...spec('30 2 * * *'), inputs: { src: { type: 'git', value: 'https://example.invalid/r.git' } } },
        'demo.json',
      ),
      '',
    );
    const page = (await get(`${w.url}/jobset/demo/nightly`)).text;
    const next = new Date(Date.now() + 60_000);
    next.setUTCMinutes(30, 0, 0);
    if (next.getUTCHours() > 2 || (next.getUTCHours() === 2 && Date.now() >= next.getTime()))
      next.setUTCDate(next.getUTCDate() + 1);
    next.setUTCHours(2);
    assert.match(page, /<dt>Schedule<\/dt><dd><code>30 2 \* \* \*<\/code> \(UTC\), next <span[^>]*>([^<]+)<\/span>/);
    assert.match(page, new RegExp(next.toISOString().slice(0, 16).replace('T', '.')));
  } finally {
    await w.stop();
  }
});

test('the web edit sets and validates the schedule too', async () => {
  const w = await startWebFixture();
  try {
    addProject(w.db, 'demo');
    await addUser(w.db, 'root', 'pw-root-123', ['admin']);
    const cookie = await login(w.url, 'root', 'pw-root-123');
    const put = (body: object) =>
      fetch(`${w.url}/jobset/demo/web`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', Origin: w.url, cookie },
        body: JSON.stringify({
          nixexprinput: 'src',
          nixexprpath: 'release.nix',
          inputs: { src: { type: 'git', value: 'https://example.invalid/r.git' } },
          ...body,
        }),
      });
    assert.equal((await put({ schedule: '15 4 * * 1' })).status, 201, 'created');
    assert.equal(getJobset(w.db, 'demo', 'web')!.schedule, '15 4 * * 1');
    const bad = await put({ schedule: '15 25 * * *' });
    assert.equal(bad.status, 400);
    assert.match(
      ((await bad.json()) as { error: string }).error,
      /"schedule" "15 25 \* \* \*" is not a schedule: hour/,
    );
    assert.equal((await put({ description: 'kept' })).status, 200);
    assert.equal(getJobset(w.db, 'demo', 'web')!.schedule, '15 4 * * 1', 'left out, the schedule is kept');
  } finally {
    await w.stop();
  }
});
