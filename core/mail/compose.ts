import type { Commit } from '../git.ts';
import { statusLabel } from '../model/status.ts';
import { escapeHtml, headerValue, listIdPart, plainText } from './escape.ts';
import type { StoredMail } from './transport.ts';

/** One job of an evaluation whose status changed, with the builds it broke (dependency failed). */
export interface MailChange {
  job: string;
  system: string;
  url: string;
  oldStatus: number | null;
  newStatus: number;
  kind: 'regression' | 'fix' | 'changed';
  /** Jobs that failed because this one did; never mailed on their own. */
  dependents: { job: string; system: string; url: string }[];
  logTail: string | null;
}

export interface Blame {
  /** Commits since the previous evaluation, over every input marked emailresponsible. */
  count: number;
  commits: Commit[];
  /** False when there were more than the cap: the mail says how many and mails no author. */
  authorsMailed: boolean;
}

/** Everything one coalesced mail says; the same for every recipient but the unsubscribe link. */
export interface BuildMail {
  instance: string;
  project: string;
  jobset: string;
  evalId: number | null;
  evalUrl: string | null;
  /** Regressions first. */
  changes: MailChange[];
  blame: Blame | null;
  /** False when sent after the wait, before every build of the evaluation finished. */
  complete: boolean;
}

const MAX_LISTED = 200;

function subjectStatus(status: number): string {
  return status === 0 ? 'Success' : statusLabel(true, status);
}

function was(c: MailChange): string {
  if (c.oldStatus === null) return 'new job';
  return c.oldStatus === c.newStatus ? 'still' : `was ${statusLabel(true, c.oldStatus)}`;
}

export function composeBuildMail(m: BuildMail, to: string, unsubscribe: string): StoredMail {
  const first = m.changes[0]!;
  const others = m.changes.length - 1;
  const name = (job: string) => `${m.project}:${m.jobset}:${job}`;
  const subject = headerValue(
    `${subjectStatus(first.newStatus)}: hydrant job ${name(first.job)}${others ? ` (and ${others} others)` : ''}`,
    300,
  );
  const listed = m.changes.slice(0, MAX_LISTED);
  const intro =
    `${m.changes.length} job${m.changes.length === 1 ? '' : 's'} of ${m.project}:${m.jobset} changed status` +
    (m.evalId !== null ? ` in evaluation ${m.evalId}` : '') +
    (m.complete ? '.' : ' (some builds of the evaluation are still running).');

  const text: string[] = [intro, ...(m.evalUrl ? [m.evalUrl] : []), ''];
  const html: string[] = [
    `<p>${escapeHtml(intro)}${m.evalUrl ? ` <a href="${escapeHtml(m.evalUrl)}">Evaluation</a>` : ''}</p>`,
    '<ul>',
  ];
  for (const c of listed) {
    text.push(
      `${statusLabel(true, c.newStatus)} (${was(c)}): ${headerValue(name(c.job), 300)} [${headerValue(c.system)}]`,
      `  ${c.url}`,
    );
    html.push(
      `<li><b>${escapeHtml(statusLabel(true, c.newStatus))}</b> (${escapeHtml(was(c))}): ` +
        `<a href="${escapeHtml(c.url)}">${escapeHtml(name(c.job))}</a> [${escapeHtml(c.system)}]`,
    );
    if (c.dependents.length) {
      text.push(`  Because of it, ${c.dependents.length} more failed (dependency failed):`);
      html.push(`<br>Because of it, ${c.dependents.length} more failed (dependency failed):<ul>`);
      for (const d of c.dependents.slice(0, MAX_LISTED)) {
        text.push(`    - ${headerValue(name(d.job), 300)} [${headerValue(d.system)}] ${d.url}`);
        html.push(`<li><a href="${escapeHtml(d.url)}">${escapeHtml(name(d.job))}</a> [${escapeHtml(d.system)}]</li>`);
      }
      html.push('</ul>');
    }
    if (c.logTail) {
      text.push(
        '  End of the log:',
        ...plainText(c.logTail)
          .split('\n')
          .map((l) => `  | ${l}`),
      );
      html.push(`<pre>${escapeHtml(plainText(c.logTail))}</pre>`);
    }
    html.push('</li>');
    text.push('');
  }
  html.push('</ul>');
  if (m.changes.length > listed.length) {
    text.push(`… and ${m.changes.length - listed.length} more.`, '');
    html.push(`<p>… and ${m.changes.length - listed.length} more.</p>`);
  }
  if (m.blame) blameParts(m.blame, text, html);
  text.push('-- ', `Sent by hydrant (${m.instance}). No more mail from ${m.project}: ${unsubscribe}`);
  html.push(
    `<hr><p>Sent by hydrant (${escapeHtml(m.instance)}). ` +
      `<a href="${escapeHtml(unsubscribe)}">No more mail from ${escapeHtml(m.project)}</a></p>`,
  );
  return {
    to,
    subject,
    text: text.join('\n'),
    html: html.join('\n'),
    headers: {
      'X-Hydra-Instance': headerValue(m.instance),
      'X-Hydra-Project': headerValue(m.project),
      'X-Hydra-Jobset': headerValue(m.jobset),
      'X-Hydra-Job': headerValue(first.job),
      'X-Hydra-System': headerValue(first.system),
      ...listHeaders(m.instance, m.project, m.jobset, unsubscribe),
    },
  };
}

function blameParts(b: Blame, text: string[], html: string[]): void {
  if (!b.authorsMailed) {
    const commits = `${b.count} commits since the previous evaluation`;
    const line = `${commits}; too many to blame, so none of their authors was mailed.`;
    text.push(line, '');
    html.push(`<p>${escapeHtml(line)}</p>`);
    return;
  }
  if (!b.commits.length) return;
  text.push(`This may be due to ${b.count} commit${b.count === 1 ? '' : 's'} since the previous evaluation:`);
  html.push(
    `<p>This may be due to ${b.count} commit${b.count === 1 ? '' : 's'} since the previous evaluation:</p><ul>`,
  );
  for (const c of b.commits) {
    const who = `${c.author} <${c.email}>`;
    text.push(`  ${c.hash.slice(0, 12)} ${headerValue(who)}: ${headerValue(c.subject)}`);
    html.push(
      `<li><code>${escapeHtml(c.hash.slice(0, 12))}</code> ${escapeHtml(headerValue(who))}: ` +
        `${escapeHtml(headerValue(c.subject))}</li>`,
    );
  }
  text.push('');
  html.push('</ul>');
}

export function listHeaders(
  instance: string,
  project: string,
  jobset: string,
  unsubscribe: string,
): Record<string, string> {
  return {
    'List-Id': `<${listIdPart(project)}.${listIdPart(jobset)}.${listIdPart(instance)}>`,
    'List-Unsubscribe': `<${unsubscribe}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
}

/** The mail to a project's owner when a jobset's evaluation fails with a new error. */
export function composeEvalErrorMail(
  e: { instance: string; project: string; jobset: string; url: string; error: string },
  to: string,
  unsubscribe: string,
): StoredMail {
  const error = plainText(e.error, 20_000);
  const intro = `The evaluation of ${e.project}:${e.jobset} fails with a new error:`;
  return {
    to,
    subject: headerValue(`Evaluation error: hydrant jobset ${e.project}:${e.jobset}`, 300),
    text: [
      intro,
      e.url,
      '',
      error,
      '',
      '-- ',
      `Sent by hydrant (${e.instance}). No more mail from ${e.project}: ${unsubscribe}`,
    ].join('\n'),
    html: [
      `<p>${escapeHtml(intro)} <a href="${escapeHtml(e.url)}">${escapeHtml(`${e.project}:${e.jobset}`)}</a></p>`,
      `<pre>${escapeHtml(error)}</pre>`,
      `<hr><p><a href="${escapeHtml(unsubscribe)}">No more mail from ${escapeHtml(e.project)}</a></p>`,
    ].join('\n'),
    headers: {
      'X-Hydra-Instance': headerValue(e.instance),
      'X-Hydra-Project': headerValue(e.project),
      'X-Hydra-Jobset': headerValue(e.jobset),
      ...listHeaders(e.instance, e.project, e.jobset, unsubscribe),
    },
  };
}
