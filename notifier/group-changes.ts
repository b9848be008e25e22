import { buildJobStatus, failingStep, jobsetBuildOfDrv, type WaitingChange } from '../core/db/notifications.ts';
import { logEnd } from '../core/mail/log-end.ts';
import type { MailChange } from '../core/mail/compose.ts';
import { BuildStatus } from '../core/model/status.ts';
import { classify } from './classify.ts';
import type { NotifierContext } from './context.ts';

/** Log ends in one mail: enough to see what broke, not 50 logs for 50 regressions. */
const MAX_LOG_TAILS = 5;

interface Entry {
  change: MailChange;
  /** The build whose failing step's log the entry shows. */
  logOf: number;
}

/**
 * The entries of a mail: every change, except that a build whose dependency failed is
 * listed under the build that failed (Hydra #48: never one mail per dependent). When that
 * build is not a change itself (it was failing already), or the failed dependency is not a
 * job, it still heads the list of what it broke.
 */
export async function groupChanges(
  ctx: NotifierContext,
  jobsetId: number,
  changes: WaitingChange[],
): Promise<MailChange[]> {
  const url = (id: number) => `${ctx.config.baseUrl}/build/${id}`;
  const entries = new Map<string, Entry>();
  for (const c of changes) {
    if (c.new_status === BuildStatus.DependencyFailed) continue;
    entries.set(`build:${c.build_id}`, {
      logOf: c.build_id,
      change: {
        job: c.job,
        system: c.system,
        url: url(c.build_id),
        oldStatus: c.old_status,
        newStatus: c.new_status,
        kind: classify(c.new_status, c.old_status) ?? 'changed',
        dependents: [],
        logTail: null,
      },
    });
  }
  for (const c of changes) {
    if (c.new_status !== BuildStatus.DependencyFailed) continue;
    const cause = causeOf(ctx, jobsetId, c.build_id, entries, url);
    const dependent = { job: c.job, system: c.system, url: url(c.build_id) };
    if (cause) cause.change.dependents.push(dependent);
    else
      entries.set(`build:${c.build_id}`, {
        logOf: c.build_id,
        change: {
          ...dependent,
          oldStatus: c.old_status,
          newStatus: c.new_status,
          kind: 'regression',
          dependents: [],
          logTail: null,
        },
      });
  }
  let tails = 0;
  for (const entry of entries.values()) {
    if (tails >= MAX_LOG_TAILS || entry.change.newStatus === BuildStatus.Success) continue;
    entry.change.logTail = await logEnd(ctx.config.stateDir, failingStep(ctx.db, entry.logOf)?.logfile ?? null);
    if (entry.change.logTail) tails++;
  }
  return [...entries.values()].map((e) => e.change).sort((a, b) => rank(a) - rank(b) || a.job.localeCompare(b.job));
}

function rank(e: MailChange): number {
  if (e.kind === 'regression') return 0;
  return e.kind === 'changed' ? 1 : 2;
}

/** The entry a dependency failure goes under: the failed job's own change, or an entry for it. */
function causeOf(
  ctx: NotifierContext,
  jobsetId: number,
  buildId: number,
  entries: Map<string, Entry>,
  url: (id: number) => string,
): Entry | null {
  const step = failingStep(ctx.db, buildId);
  if (!step?.drvpath) return null;
  const ranIn = step.propagatedfrom ?? buildId;
  const job = jobsetBuildOfDrv(ctx.db, jobsetId, step.drvpath);
  const key = job ? `build:${job.id}` : `drv:${step.drvpath}`;
  const existing = entries.get(key);
  if (existing) return existing;
  const status = job ? (buildJobStatus(ctx.db, job.id)?.buildstatus ?? BuildStatus.Failed) : BuildStatus.Failed;
  const entry: Entry = {
    logOf: job?.id ?? ranIn,
    change: {
      job: job?.job ?? `dependency ${drvName(step.drvpath)}`,
      system: job?.system ?? buildJobStatus(ctx.db, buildId)?.system ?? '',
      url: url(job?.id ?? ranIn),
      oldStatus: status,
      newStatus: status,
      kind: 'regression',
      dependents: [],
      logTail: null,
    },
  };
  entries.set(key, entry);
  return entry;
}

/** /nix/store/HASH-NAME.drv → NAME */
function drvName(drvpath: string): string {
  return (drvpath.split('/').pop() ?? drvpath).replace(/^[0-9a-z]{32}-/, '').replace(/\.drv$/, '');
}
