import type { BuildWithJobset } from '../../core/model/rows.ts';
import { statusClass, statusLabel } from '../../core/model/status.ts';
import { humanDuration, isoTime } from '../helpers.ts';
import { links } from './links.ts';

/** What a row in any list of builds shows. */
export interface BuildSummaryView {
  id: number;
  url: string;
  job: string;
  jobUrl: string;
  project: string;
  jobset: string;
  system: string;
  nixname: string | null;
  status: string;
  statusClass: string;
  finished: boolean;
  timestamp: number;
  starttime: number | null;
  stoptime: number | null;
  duration: number | null;
  /** Formatted here rather than by template helpers: /eval/N keeps its page of summaries until the database changes. */
  timestampIso: string;
  stoptimeIso: string;
  durationText: string;
}

export function buildSummary(b: BuildWithJobset, running: ReadonlySet<number>): BuildSummaryView {
  const duration = b.starttime && b.stoptime ? b.stoptime - b.starttime : null;
  return {
    id: b.id,
    url: links.build(b.id),
    job: b.job,
    jobUrl: links.job(b.project, b.jobset, b.job),
    project: b.project,
    jobset: b.jobset,
    system: b.system,
    nixname: b.nixname,
    status: statusLabel(b.finished === 1, b.buildstatus, running.has(b.id)),
    statusClass: statusClass(b.finished === 1, b.buildstatus, running.has(b.id)),
    finished: b.finished === 1,
    timestamp: b.timestamp,
    starttime: b.starttime,
    stoptime: b.stoptime,
    duration,
    timestampIso: isoTime(b.timestamp),
    stoptimeIso: isoTime(b.stoptime),
    durationText: humanDuration(duration),
  };
}
