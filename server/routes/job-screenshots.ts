import type { Router } from 'express';
import { jobScreenshots } from '../../core/db/screenshots.ts';
import { requireJobset } from '../lookups.ts';
import { sendPage } from '../negotiate.ts';
import type { RouteContext } from '../route-context.ts';
import { screenshotView } from '../views/build-evidence.ts';
import { links } from '../views/links.ts';

/** /job/P/J/JOB/screenshots: the screenshots of the job's recent builds, newest first, with their comparisons. */
export function jobScreenshotsRoutes(router: Router, ctx: RouteContext): void {
  const { db, render } = ctx;
  router.get('/job/:project/:jobset/:job/screenshots', (req, res) => {
    const jobset = requireJobset(ctx, res, req.params.project, req.params.jobset);
    const job = String(req.params.job);
    const shots = jobScreenshots(db, jobset.id, job, 50).map(screenshotView);
    const builds = new Map<number, typeof shots>();
    for (const s of shots) {
      const group = builds.get(s.buildId);
      if (group) group.push(s);
      else builds.set(s.buildId, [s]);
    }
    sendPage(req, res, render, {
      template: 'job-screenshots',
      view: () => ({
        title: `Screenshots of job ${jobset.project}:${jobset.name}:${job}`,
        job,
        jobUrl: links.job(jobset.project, jobset.name, job),
        jobsetUrl: links.jobset(jobset.project, jobset.name),
        jobset: `${jobset.project}:${jobset.name}`,
        builds: [...builds].map(([id, screenshots]) => ({ id, url: links.build(id), screenshots })),
      }),
      json: () =>
        shots.map((s) => ({
          build: s.buildId,
          name: s.name,
          width: s.width,
          height: s.height,
          error: s.error,
          url: s.url,
          diffUrl: s.diffUrl,
          previousBuild: s.previousBuildId,
          changedPixels: s.changedPixels,
          totalPixels: s.totalPixels,
        })),
    });
  });
}
