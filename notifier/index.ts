import type { Config } from '../core/config.ts';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { now, openDatabase, type Db } from '../core/db/database.ts';
import { holdNotifierLock, releaseNotifierLock } from '../core/db/notifier-lock.ts';
import { installationSecret } from '../core/db/secrets.ts';
import type { Logger } from '../core/log.ts';
import { smtpSender, type MailSender } from '../core/mail/transport.ts';
import { classifyEvents } from './classify.ts';
import { coalesceChanges } from './coalesce.ts';
import type { NotifierContext } from './context.ts';
import { deliverMail, deliverWebhooks } from './deliver.ts';
import { announceEvalErrors } from './eval-errors.ts';

export interface NotifierDeps {
  log: Logger;
  db?: Db;
  /** Default: nodemailer over --smtp-url; none without it (mail waits in the outbox). */
  sender?: MailSender | null;
}

export interface Notifier {
  start(): void;
  /** Stops after the delivery in progress (a mail is never cut off by a clean stop). */
  stop(): Promise<void>;
  /** One pass: events → changes → batched deliveries → sending. Returns how many deliveries went out. */
  runOnce(): Promise<number>;
}

/** Notifiers in one process share the lock (tests drive several); another process is another owner. */
const PROCESS_OWNER = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

/** The notifier role: reads the outbox, mails the right people once per evaluation, calls webhooks. */
export function createNotifier(config: Config, deps: NotifierDeps): Notifier {
  const log = deps.log.child({ role: 'notifier' });
  const db = deps.db ?? openDatabase(config.dbPath);
  const ctx: NotifierContext = {
    db,
    log,
    config,
    secret: installationSecret(db, 'unsubscribe'),
    instance: instanceName(config.baseUrl),
    installationId: installationSecret(db, 'installation').slice(0, 16),
  };
  let sender = deps.sender;
  if (sender === undefined) sender = config.smtpUrl ? smtpSender(config.smtpUrl) : null;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | null = null;
  let stopped = false;
  let waitingFor = '';
  const staleSeconds = Math.max(3, 3 * config.notifyTickSeconds);
  const holdLock = (): boolean => {
    const { held, holder } = holdNotifierLock(db, PROCESS_OWNER, now(), staleSeconds);
    if (!held && holder !== waitingFor)
      log.warn({ holder }, 'another notifier is sending from this outbox; this one waits until it stops');
    waitingFor = held ? '' : holder;
    return held;
  };
  let heartbeat: NodeJS.Timeout | undefined;

  const pass = async (): Promise<number> => {
    if (!holdLock()) return 0;
    classifyEvents(ctx);
    announceEvalErrors(ctx);
    await coalesceChanges(ctx);
    let sent = 0;
    // Renewed before each delivery: a notifier that lost the lock stops sending at once.
    const mustStop = () => stopped || !holdLock();
    if (sender) sent += await deliverMail(ctx, sender, mustStop);
    sent += await deliverWebhooks(ctx, mustStop);
    return sent;
  };
  const tick = (): Promise<number> => {
    running ??= pass()
      .catch((e: unknown) => {
        log.error({ err: e }, 'notifier pass failed; trying again next tick');
        return 0;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };

  return {
    start() {
      if (!sender) log.info('no --smtp-url: notification mail waits in the outbox (see /admin/notifications)');
      log.info({ smtp: Boolean(sender), email: config.emailEnabled }, 'notifier started');
      void tick();
      timer = setInterval(() => void tick(), Math.max(1, config.notifyTickSeconds) * 1000);
      // Renewed every second while held, between passes and during a slow delivery alike, so a
      // waiting notifier (whatever its --notify-tick) takes over only from one that is gone.
      heartbeat = setInterval(() => {
        if (!waitingFor) holdLock();
      }, 1000);
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      clearInterval(heartbeat);
      // A delivery in flight may finish (its server answers within its timeouts), but a stop never hangs on it:
      // an unmarked mail is sent again, with the same Message-ID, by the next notifier.
      await Promise.race([running, new Promise((r) => setTimeout(r, 15_000).unref())]);
      releaseNotifierLock(db, PROCESS_OWNER);
      sender?.close();
      if (!deps.db) db.close();
    },
    async runOnce() {
      await running;
      return tick();
    },
  };
}

function instanceName(baseUrl: string): string {
  try {
    return new URL(baseUrl).hostname || 'localhost';
  } catch {
    return 'localhost';
  }
}
