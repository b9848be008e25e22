import { evalOfBuild, pendingBuildEvents, recordBuildEvent } from '../core/db/notifications.ts';
import { BuildStatus } from '../core/model/status.ts';
import type { NotifierContext } from './context.ts';

export type ChangeKind = 'regression' | 'fix' | 'changed';

/**
 * Whether a finished build is news, against the previous finished build of its job and
 * system (aborted and cancelled ones already skipped by the queue runner). Aborted and
 * cancelled builds are never news; a job's first build is news only when it fails.
 */
export function classify(status: number, previous: number | null): ChangeKind | null {
  if (status === BuildStatus.Aborted || status === BuildStatus.Cancelled) return null;
  if (previous === null) return status === BuildStatus.Success ? null : 'regression';
  if (previous === status) return null;
  if (previous === BuildStatus.Success) return 'regression';
  if (status === BuildStatus.Success) return 'fix';
  return 'changed';
}

interface FinishedPayload {
  status?: number;
  previous?: { id: number; status: number } | null;
}

/** Turns the queue runner's build-finished events into changes; returns how many events it handled. */
export function classifyEvents(ctx: NotifierContext, limit = 1000): number {
  const events = pendingBuildEvents(ctx.db, limit);
  for (const e of events) {
    let payload: FinishedPayload = {};
    try {
      payload = JSON.parse(e.payload) as FinishedPayload;
    } catch {
      ctx.log.warn({ outbox: e.id }, 'build-finished event with a payload that is not JSON; skipped');
    }
    const status = payload.status;
    const previous = payload.previous ?? null;
    // Without `previous` the row comes from a hydrant that did not record it: not news we can judge.
    const kind =
      typeof status === 'number' && 'previous' in payload ? classify(status, previous?.status ?? null) : null;
    recordBuildEvent(
      ctx.db,
      e.id,
      kind && typeof status === 'number'
        ? {
            evalId: evalOfBuild(ctx.db, e.build_id),
            buildId: e.build_id,
            oldStatus: previous?.status ?? null,
            newStatus: status,
            previousBuild: previous?.id ?? null,
          }
        : null,
    );
  }
  return events.length;
}
