import type { Router } from 'express';
import { percent } from '../../core/coverage/tracefile.ts';
import { jobCoverageHistory } from '../../core/db/coverage.ts';
import { requireJobset } from '../lookups.ts';
import { NotFound, sendPage } from '../negotiate.ts';
import type { RouteContext } from '../route-context.ts';
import { coverageChange } from '../views/coverage-change.ts';
import { figures, totalsJson } from '../views/coverage-table.ts';
import { coverageTrend } from '../views/coverage-trend.ts';
import { links } from '../views/links.ts';

/** /job/P/J/JOB/coverage: the trend over the job's builds and what changed since the previous one. */
export function jobCoverageRoutes(router: Router, ctx: RouteContext): void {
  const { db, render, cache } = ctx;
  router.get('/job/:project/:jobset/:job/coverage', (req, res) => {
    const jobset = requireJobset(ctx, res, req.params.project, req.params.jobset);
    const job = String(req.params.job);
    const history = jobCoverageHistory(db, jobset.id, job, 100);
    if (history.length === 0) throw new NotFound(`coverage of job ${job} (no build of it has lcov products)`);
    const [previous, current] = [history[1]?.buildId, history[0]!.buildId];
    const change =
      previous !== undefined
        ? cache.get(`coveragechange:${previous}:${current}`, () => coverageChange(db, previous, current))
        : null;
    sendPage(req, res, render, {
      template: 'job-coverage',
      view: () => ({
        title: `Coverage of job ${jobset.project}:${jobset.name}:${job}`,
        job,
        jobUrl: links.job(jobset.project, jobset.name, job),
        jobsetUrl: links.jobset(jobset.project, jobset.name),
        jobset: `${jobset.project}:${jobset.name}`,
        trend: coverageTrend(history),
        latest: {
          ...figures(history[0]!),
          id: history[0]!.buildId,
          url: `${links.build(history[0]!.buildId)}/coverage`,
        },
        history: history.map((h) => ({ id: h.buildId, url: `${links.build(h.buildId)}/coverage`, ...figures(h) })),
        change: change
          ? {
              ...change,
              previousUrl: `${links.build(change.previousId)}/coverage`,
              currentUrl: `${links.build(change.currentId)}/coverage`,
            }
          : null,
      }),
      json: () => ({
        project: jobset.project,
        jobset: jobset.name,
        job,
        builds: history.map((h) => ({ id: h.buildId, stoptime: h.stoptime, ...totalsJson(h) })),
        change: change
          ? {
              previous: change.previousId,
              current: change.currentId,
              directories: change.dirs,
              rose: change.rose,
              fell: change.fell,
              newlyUncovered: change.newlyUncovered,
            }
          : null,
        latestLineCoverage: percent(history[0]!.linesHit, history[0]!.linesFound),
      }),
    });
  });
}
