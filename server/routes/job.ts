import type { Router } from 'express';
import { jobBuilds, runningBuildIds } from '../../core/db/builds.ts';
import { countJobBuilds, jobDurations } from '../../core/db/job-history.ts';
import { requireJobset } from '../lookups.ts';
import { NotFound, sendPage } from '../negotiate.ts';
import { pager, paging } from '../paging.ts';
import type { RouteContext } from '../route-context.ts';
import { buildSummary } from '../views/build-summary.ts';
import { durationChart } from '../views/duration-chart.ts';
import { jobEvidence } from '../views/job-evidence.ts';
import { links } from '../views/links.ts';

export function jobRoutes(router: Router, ctx: RouteContext): void {
  const { db, render, cache } = ctx;
  router.get('/job/:project/:jobset/:job', (req, res) => {
    const jobset = requireJobset(ctx, res, req.params.project, req.params.jobset);
    const job = String(req.params.job);
    const total = cache.get(`jobbuilds:${jobset.id}:${job}`, () => countJobBuilds(db, jobset.id, job));
    // A job is known by its builds: a name no evaluation ever produced is not a page.
    if (total === 0) throw new NotFound(`job ${jobset.project}:${jobset.name}:${job}`);
    const p = paging(req, 50);
    const builds = jobBuilds(db, jobset.id, job, p.rows, p.offset);
    const base = links.job(jobset.project, jobset.name, job);
    sendPage(req, res, render, {
      template: 'job',
      view: () => {
        const running = runningBuildIds(db);
        return {
          title: `Job ${jobset.project}:${jobset.name}:${job}`,
          job,
          jobset: {
            project: jobset.project,
            name: jobset.name,
            url: links.jobset(jobset.project, jobset.name),
            projectUrl: links.project(jobset.project),
          },
          latestUrl: `${base}/latest`,
          badgeUrl: `${base}/badge`,
          shieldUrl: `${base}/shield`,
          builds: builds.map((b) => buildSummary(b, running)),
          evidence: jobEvidence(db, jobset.id, job, base),
          chart: durationChart(jobDurations(db, jobset.id, job, 100)),
          pager: pager(req, p, total),
        };
      },
      json: () => ({ project: jobset.project, jobset: jobset.name, job, builds: builds.map((b) => b.id) }),
    });
  });
}
