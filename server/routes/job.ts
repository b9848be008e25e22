import type { Request, Response, Router } from 'express';
import { jobBuilds, latestBuildOfJob, runningBuildIds, type LatestFilter } from '../../core/db/builds.ts';
import { getJobset } from '../../core/db/jobsets.ts';
import { NotFound, sendPage } from '../negotiate.ts';
import type { RouteContext } from '../route-context.ts';
import { buildSummary } from '../views/build-summary.ts';
import { links } from '../views/links.ts';

/** Segments after latest… are appended to the target, as in Hydra (…/latest/download/1 → /build/N/download/1). */
function restOf(req: Request): string {
  const rest = (req.params as Record<string, unknown>)['rest'];
  const segments = Array.isArray(rest) ? rest.map(String) : [];
  return segments.length ? '/' + segments.map(encodeURIComponent).join('/') : '';
}

export function jobRoutes(router: Router, { db, render }: RouteContext): void {
  const jobsetOf = (req: Request) => {
    const jobset = getJobset(db, String(req.params.project), String(req.params.jobset));
    if (!jobset) throw new NotFound(`jobset ${req.params.project}:${req.params.jobset}`);
    return jobset;
  };

  const redirectToLatest = (filter: (req: Request) => LatestFilter) => (req: Request, res: Response) => {
    const jobset = jobsetOf(req);
    const build = latestBuildOfJob(db, jobset.id, String(req.params.job), filter(req));
    if (!build) throw new NotFound(`a matching build of job ${req.params.job}`);
    res.redirect(302, links.build(build.id) + restOf(req));
  };

  const base = '/job/:project/:jobset/:job';
  router.get([`${base}/latest`, `${base}/latest/*rest`], redirectToLatest(() => ({ successful: true })));
  router.get([`${base}/latest-finished`, `${base}/latest-finished/*rest`], redirectToLatest(() => ({ successful: true, evalFinished: true })));
  router.get([`${base}/latest-for/:system`, `${base}/latest-for/:system/*rest`], redirectToLatest((req) => ({ successful: true, system: String(req.params.system) })));

  router.get(base, (req, res) => {
    const jobset = jobsetOf(req);
    const job = String(req.params.job);
    const builds = jobBuilds(db, jobset.id, job, 50);
    const running = runningBuildIds(db);
    sendPage(req, res, render, {
      template: 'job',
      view: {
        title: `Job ${jobset.project}:${jobset.name}:${job}`,
        job, jobset: { project: jobset.project, name: jobset.name, url: links.jobset(jobset.project, jobset.name), projectUrl: links.project(jobset.project) },
        latestUrl: `${links.job(jobset.project, jobset.name, job)}/latest`,
        builds: builds.map((b) => buildSummary(b, running)),
      },
      json: () => ({ project: jobset.project, jobset: jobset.name, job, builds: builds.map((b) => b.id) }),
    });
  });
}
