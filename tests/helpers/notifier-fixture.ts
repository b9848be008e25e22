import { finishBuild, bareResult } from '../../core/db/build-results.ts';
import { now } from '../../core/db/database.ts';
import { createNotifier, type Notifier } from '../../notifier/index.ts';
import { createQueueRunner } from '../../queue-runner/index.ts';
import { QueueFixture } from './queue-fixture.ts';
import { freePort, TestSmtp, type ReceivedMail } from './smtp.ts';
import { setJobsetEmail } from './db.ts';

/**
 * Real builds (QueueFixture + the real queue runner) and the real notifier in this process,
 * mailing a real SMTP server on 127.0.0.1. Each `round` makes new derivations, so the same
 * job in a later evaluation is a new build.
 */
export class NotifierFixture extends QueueFixture {
  readonly smtp = new TestSmtp();
  private round = 0;
  notifier!: Notifier;

  /** Call from before(); stop the SMTP server with `after(() => f.smtp.stop())` at the top level of the describe. */
  async startMail(flags: string[] = [], options: { smtpDown?: boolean; noSmtpUrl?: boolean } = {}): Promise<this> {
    if (options.smtpDown) this.smtp.port = await freePort();
    else await this.smtp.start();
    const smtp = options.noSmtpUrl ? [] : ['--smtp-url', this.smtp.url];
    this.notifier = createNotifier(
      this.config([...smtp, '--base-url', 'http://hydrant.test', '--email-wait', '3600', ...flags]),
      { log: this.log, db: this.db },
    );
    return this;
  }

  /** `jobs` maps a job name to 'ok' | 'fail' | a Nix expression; maintainers go in meta. */
  jobs(
    spec: Record<
      string,
      'ok' | 'fail' | { dependsOn: string } | { fail: true; maintainers: string } | { ok: true; maintainers: string }
    >,
    maintainers = '',
  ): string {
    const r = ++this.round;
    const meta = (m: string) => (m ? `withMeta { maintainers = ${JSON.stringify(m)}; }` : '');
    const parts = Object.entries(spec).map(([name, s]) => {
      const key = JSON.stringify(name);
      if (s === 'ok') return `${key} = ${meta(maintainers)} (job "j" "echo round ${r} > $out");`;
      if (s === 'fail') {
        const script = `echo round ${r}; echo 'error: <b>boom</b> in ${name}'; exit 1`;
        return `${key} = ${meta(maintainers)} (job "j" "${script}");`;
      }
      if ('dependsOn' in s) {
        const dep = `self.${JSON.stringify(s.dependsOn)}`;
        return `${key} = ${meta(maintainers)} (jobWith "j" { dep = ${dep}; } "cat $dep > $out");`;
      }
      const script = `echo round ${r}; ${'fail' in s ? 'exit 1' : 'echo ok > $out'}`;
      return `${key} = ${meta(s.maintainers)} (job "j" "${script}");`;
    });
    return `let self = { ${parts.join('\n')} }; in self`;
  }

  /** Queues and builds one evaluation of `spec` in `jobset` (email on), then lets the notifier run. */
  async evaluation(
    jobset: string,
    body: string,
    jobsetColumns: { emailoverride?: string; enableemail?: boolean } = {},
  ): Promise<Record<string, number>> {
    const ids = await this.queue(body, jobset);
    setJobsetEmail(
      this.db,
      { project: 'p', name: jobset },
      jobsetColumns.enableemail !== false,
      jobsetColumns.emailoverride ?? '',
    );
    await createQueueRunner(this.config(), { log: this.log, db: this.db, nix: this.nix, maxJobs: 2 }).runOnce();
    await this.notifier.runOnce();
    return ids;
  }

  /** An evaluation whose builds all end aborted, the way the queue runner records builds it gave up on. */
  async abortedEvaluation(jobset: string, body: string): Promise<void> {
    const ids = await this.queue(body, jobset);
    for (const id of Object.values(ids)) finishBuild(this.db, id, bareResult(3, now()));
    await this.notifier.runOnce();
  }

  mailsOf(jobset: string): ReceivedMail[] {
    return this.smtp.received.filter((r) => r.mail.headers.get('x-hydra-jobset') === jobset);
  }
}
