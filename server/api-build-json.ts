import type { Request } from 'express';
import type { BuildFilter } from '../core/db/api-builds.ts';
import type { BuildWithJobset } from '../core/model/rows.ts';
import { BadRequest } from './negotiate.ts';

/**
 * Hydra's API.pm buildToHash: the short build of /api/latestbuilds and /api/queue.
 * `finished` is the integer column here (not the boolean of /build/N), and a finished build
 * has `buildstatus` but no `priority`, an unfinished one the reverse.
 */
export function apiBuildJson(b: BuildWithJobset) {
  return {
    id: b.id,
    project: b.project,
    jobset: b.jobset,
    job: b.job,
    system: b.system,
    nixname: b.nixname,
    finished: b.finished,
    timestamp: b.timestamp,
    ...(b.finished ? { buildstatus: b.buildstatus } : { priority: b.priority }),
  };
}

const text = (req: Request, name: string): string => {
  const v = req.query[name];
  return typeof v === 'string' ? v : '';
};

export function buildFilter(req: Request): BuildFilter {
  return {
    project: text(req, 'project'),
    jobset: text(req, 'jobset'),
    job: text(req, 'job'),
    system: text(req, 'system'),
  };
}

/** Hydra requires `nr` ("Parameter not defined!"); hydrant also bounds it, as every list. */
export function nrParam(req: Request, max = 1000): number {
  const raw = text(req, 'nr');
  if (raw === '') throw new BadRequest('Parameter not defined!');
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new BadRequest('nr must be a whole number');
  return Math.min(n, max);
}
