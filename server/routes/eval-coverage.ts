import type { Router } from 'express';
import { sumTotals } from '../../core/coverage/tracefile.ts';
import { evalCoverageBuilds } from '../../core/db/coverage.ts';
import { requireEval } from '../lookups.ts';
import { NotFound, sendPage } from '../negotiate.ts';
import type { RouteContext } from '../route-context.ts';
import { coverageTable, figures, sortOf, totalsJson } from '../views/coverage-table.ts';
import { links } from '../views/links.ts';
import { mergeBuildsCoverage } from '../views/merge-builds.ts';

/** /eval/N/coverage: the coverage of every build of an evaluation (every machine of every VM test) merged. */
export function evalCoverageRoutes(router: Router, ctx: RouteContext): void {
  const { db, render, cache } = ctx;
  router.get('/eval/:id/coverage', (req, res) => {
    const { evaluation, jobset } = requireEval(ctx, res, req.params.id);
    const builds = evalCoverageBuilds(db, evaluation.id);
    if (builds.length === 0)
      throw new NotFound(`coverage in evaluation ${evaluation.id} (no build of it has lcov products)`);
    const rows = cache.get(
      `evalcoverage:${evaluation.id}`,
      () =>
        mergeBuildsCoverage(
          db,
          builds.map((b) => b.buildId),
        ).rows,
    );
    const totals = sumTotals(rows);
    const dir = typeof req.query['dir'] === 'string' ? req.query['dir'] : null;
    const base = `${links.eval(evaluation.id)}/coverage`;
    sendPage(req, res, render, {
      template: 'coverage',
      view: () => ({
        title: `Coverage of evaluation ${evaluation.id}`,
        heading: `Coverage of evaluation ${evaluation.id}, all builds merged`,
        crumbs: [
          { text: `${jobset.project}:${jobset.name}`, url: links.jobset(jobset.project, jobset.name) },
          { text: `Evaluation ${evaluation.id}`, url: links.eval(evaluation.id) },
        ],
        problems: [],
        totals: figures(totals),
        fileCount: rows.length,
        tracefiles: null,
        builds: builds.map((b) => ({ job: b.job, url: `${links.build(b.buildId)}/coverage` })),
        table: coverageTable(rows, { dir, sort: sortOf(req.query['sort'], req.query['order']), base }),
        base,
      }),
      json: () => ({
        eval: evaluation.id,
        builds: builds.map((b) => ({ id: b.buildId, job: b.job })),
        ...totalsJson(totals),
        files: rows.map((f) => ({ path: f.display, source: f.path, ...totalsJson(f) })),
      }),
    });
  });
}
