// The web side of notifications: subscribe, the signed unsubscribe link (used from a real
// mail), the per-user opt-out, the admin outbox page and project webhooks.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readConfig } from '../../core/config.ts';
import { optedOut } from '../../core/db/notify-recipients.ts';
import { installationSecret } from '../../core/db/secrets.ts';
import { createLogger } from '../../core/log.ts';
import { unsubscribeUrl } from '../../core/mail/unsubscribe.ts';
import { createNotifier, type Notifier } from '../../notifier/index.ts';
import { rawHeaders, TestSmtp } from '../helpers/smtp.ts';
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
import { setProjectPrivate, setJobsetEmail, setUserEmail } from '../helpers/db.ts';

let w: WebFixture;
let notifier: Notifier;
let jobsetId: number;
let carol: string;
let root: string;
const smtp = new TestSmtp();

before(async () => {
  w = await startWebFixture();
  await smtp.start();
  addProject(w.db, 'p', { owner: 'olga' });
  addProject(w.db, 'secret', { owner: 'olga' });
  setProjectPrivate(w.db, 'secret', true);
  addJobset(w.db, 'secret', 'main');
  jobsetId = addJobset(w.db, 'p', 'main');
  setJobsetEmail(w.db, { id: jobsetId }, true, 'alice@example.org, bob@example.org');
  await addUser(w.db, 'carol', 'carol password');
  await addUser(w.db, 'root', 'root password', ['admin']);
  setUserEmail(w.db, 'carol', 'carol@example.org');
  carol = await login(w.url, 'carol', 'carol password');
  root = await login(w.url, 'root', 'root password');
  const { config } = readConfig(
    ['--state-dir', w.stateDir, '--smtp-url', smtp.url, '--base-url', w.url, '--notify-retry', '1'],
    {},
  );
  notifier = createNotifier(config, { log: createLogger('silent'), db: w.db });
});
after(async () => {
  await smtp.stop();
  await w.stop();
});

let round = 0;
/** One evaluation of job `a` ending with `status`, then a notifier pass. */
async function evaluation(status: number): Promise<void> {
  const { buildIds } = addEval(w.db, jobsetId, [{ name: 'a', drv: `a-${++round}` }]);
  runStep(w.db, w.stateDir, buildIds['a']!, { log: `round ${round}\n`, status });
  await notifier.runOnce();
}

const json = (cookie: string, body: unknown) => ({
  method: 'POST',
  headers: { Cookie: cookie, 'Content-Type': 'application/json', Accept: 'application/json', Origin: w.url },
  body: JSON.stringify(body),
});

test('a logged-in user subscribes on the jobset page and gets the mail; visitors see no button', async () => {
  const anonymous = await (await fetch(`${w.url}/jobset/p/main`)).text();
  assert.ok(!anonymous.includes('Mail me about'));
  assert.match(
    await (await fetch(`${w.url}/jobset/p/main`, { headers: { Cookie: carol } })).text(),
    /Mail me about this jobset/,
  );
  const res = await fetch(`${w.url}/jobset/p/main/subscribe`, json(carol, { subscribed: true }));
  assert.deepEqual(await res.json(), { project: 'p', jobset: 'main', subscribed: true });
  assert.match(
    await (await fetch(`${w.url}/jobset/p/main`, { headers: { Cookie: carol } })).text(),
    /Stop mail about this jobset/,
  );
  assert.equal((await fetch(`${w.url}/project/p/subscribe`, json('', {}))).status, 401);
  assert.equal(
    (await fetch(`${w.url}/project/secret/subscribe`, json(carol, {}))).status,
    404,
    'a private project cannot be subscribed to by outsiders',
  );

  await evaluation(0);
  await evaluation(1);
  assert.deepEqual(smtp.received.map((m) => m.to[0]).sort(), [
    'alice@example.org',
    'bob@example.org',
    'carol@example.org',
  ]);
});

test('the List-Unsubscribe link of a real mail works without logging in, and only for its address', async () => {
  const alice = smtp.to('alice@example.org')[0]!;
  const link = /^<(.+)>$/.exec(rawHeaders(alice.raw, 'List-Unsubscribe')[0]!)![1]!;
  assert.ok(link.startsWith(`${w.url}/unsubscribe?`));
  const page = await fetch(link);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /Stop all mail from project p to <b>alice@example.org<\/b>\?/);
  assert.equal(optedOut(w.db, 'alice@example.org', 'p'), false, 'GET only asks');

  const tampered = link.replace('alice%40example.org', 'bob%40example.org');
  assert.equal(
    (
      await fetch(tampered, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      })
    ).status,
    403,
  );
  // RFC 8058 one-click: the mail client POSTs to the link itself.
  const done = await fetch(link, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'List-Unsubscribe=One-Click',
  });
  assert.equal(done.status, 200);
  assert.match(await done.text(), /alice@example.org<\/b> gets no more mail from project p/);

  const before = smtp.received.length;
  await evaluation(0);
  assert.deepEqual(
    smtp.received
      .slice(before)
      .map((m) => m.to[0])
      .sort(),
    ['bob@example.org', 'carol@example.org'],
    'alice is left out, the others are not',
  );
});

test('a user opts out of all mail on the settings page', async () => {
  const res = await fetch(`${w.url}/settings/email`, json(carol, { optout: true }));
  assert.deepEqual(await res.json(), { email: 'carol@example.org', optedOut: true });
  assert.match(
    await (await fetch(`${w.url}/settings/email`, { headers: { Cookie: carol } })).text(),
    /You get no mail from hydrant/,
  );
  const before = smtp.received.length;
  await evaluation(1);
  assert.deepEqual(
    smtp.received.slice(before).map((m) => m.to[0]),
    ['bob@example.org'],
  );
  assert.equal((await fetch(`${w.url}/settings/email`)).status, 401);
});

test('admins see pending and failed notifications with their last error', async () => {
  await smtp.stop();
  await evaluation(0);
  await notifier.runOnce();
  assert.equal((await fetch(`${w.url}/admin/notifications`, { headers: { Cookie: carol } })).status, 403);
  assert.equal((await fetch(`${w.url}/admin/notifications`)).status, 401);
  const page = await (await fetch(`${w.url}/admin/notifications`, { headers: { Cookie: root } })).text();
  assert.match(page, /1 notifications not delivered yet, 1 of them failing/);
  assert.match(page, /bob@example.org/);
  assert.match(page, /Success: hydrant job p:main:a/);
  assert.match(page, /ECONNREFUSED/);
  const api = (await (
    await fetch(`${w.url}/admin/notifications`, { headers: { Cookie: root, Accept: 'application/json' } })
  ).json()) as { pending: number; notifications: { kind: string; attempts: number }[] };
  assert.equal(api.pending, 1);
  assert.equal(api.notifications[0]!.attempts, 1);
  await smtp.start(smtp.port);
});

test('project webhooks: owners and members add and remove them; a secret is generated when none is given', async () => {
  await addUser(w.db, 'olga', 'olga password');
  const olga = await login(w.url, 'olga', 'olga password');
  assert.equal((await fetch(`${w.url}/project/p/webhooks`, json(carol, { url: 'http://127.0.0.1:1/x' }))).status, 403);
  assert.equal((await fetch(`${w.url}/project/p/webhooks`, json(olga, { url: 'file:///etc/passwd' }))).status, 400);
  const created = (await (
    await fetch(`${w.url}/project/p/webhooks`, json(olga, { url: 'http://127.0.0.1:1/hook', jobset: 'main' }))
  ).json()) as { id: number; secret: string };
  assert.match(created.secret, /^[0-9a-f]{48}$/);
  const list = (await (
    await fetch(`${w.url}/project/p/webhooks`, { headers: { Cookie: olga, Accept: 'application/json' } })
  ).json()) as { url: string; jobset: string }[];
  assert.deepEqual(
    list.map((h) => [h.url, h.jobset]),
    [['http://127.0.0.1:1/hook', 'main']],
  );
  assert.ok(!JSON.stringify(list).includes(created.secret), 'the secret is not shown again');
  assert.equal((await fetch(`${w.url}/project/p/webhooks/${created.id}/delete`, json(olga, {}))).status, 200);
  assert.equal((await fetch(`${w.url}/project/secret/webhooks`, { headers: { Cookie: carol } })).status, 404);
});

test('a link signed for another address or project is refused', async () => {
  const secret = installationSecret(w.db, 'unsubscribe');
  const link = unsubscribeUrl(w.url, secret, 'bob@example.org', 'p');
  assert.equal(
    (await fetch(link.replace('project=p', 'project='))).status,
    403,
    'a link for one project does not unsubscribe from all',
  );
  assert.equal((await fetch(`${w.url}/unsubscribe?address=bob%40example.org&project=p`)).status, 400);
});

test('the subscribe button is a form with the CSRF token, answered with a redirect back to the page', async () => {
  const page = await (await fetch(`${w.url}/project/p`, { headers: { Cookie: carol } })).text();
  const subscribeForm = new RegExp(
    /<form class="inline" method="post" action="([^"]+)">/.source +
      /<input type="hidden" name="_csrf" value="([^"]+)">/.source +
      /<input type="hidden" name="subscribed" value="1">/.source +
      /<button type="submit">Mail me about this project<\/button>/.source,
  );
  const form = subscribeForm.exec(page);
  assert.ok(form, 'the project page has the subscribe form');
  const res = await fetch(`${w.url}${form[1]!}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { Cookie: carol, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: form[2]!, subscribed: '1' }).toString(),
  });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/project/p');
  assert.match(
    await (await fetch(`${w.url}/project/p`, { headers: { Cookie: carol } })).text(),
    /Stop mail about this project/,
  );
  const forged = await fetch(`${w.url}${form[1]!}`, {
    method: 'POST',
    headers: { Cookie: carol, 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'https://evil.example' },
    body: 'subscribed=0',
  });
  assert.equal(forged.status, 403, 'another site cannot unsubscribe the user');
});
