import type { Request, Router } from 'express';
import { evalHasCoverage } from '../../core/db/coverage.ts';
import { runningBuildIds } from '../../core/db/builds.ts';
import {
  EVAL_GROUPS,
  evalBuildIdsAfter,
  evalBuildsPage,
  evalJobStates,
  type EvalGroup,
} from '../../core/db/eval-pages.ts';
import { evalErrors, evalInputs, evalSummary, getEval, previousEvalId } from '../../core/db/evals.ts';
import { may } from '../auth/permissions.ts';
import { viewerOf } from '../auth/session.ts';
import { evalJson } from '../json-shapes.ts';
import { requireEval } from '../lookups.ts';
import { intParam, NotFound, sendPage } from '../negotiate.ts';
import { pager, paging } from '../paging.ts';
import type { RouteContext } from '../route-context.ts';
import { buildSummary } from '../views/build-summary.ts';
import { diffEvals, type EvalDiff } from '../views/eval-diff.ts';
import { links } from '../views/links.ts';

const DIFF_SHOWN = 100;

function groupOf(req: Request): EvalGroup {
  const g = String(req.query.group ?? 'all');
  return (Object.hasOwn(EVAL_GROUPS, g) ? g : 'all') as EvalGroup;
}

function diffView(diff: EvalDiff) {
  const show = (list: EvalDiff['added']) => ({
    count: list.length,
    more: Math.max(0, list.length - DIFF_SHOWN),
    items: list.slice(0, DIFF_SHOWN).map((s) => ({ ...s, url: links.build(s.buildId) })),
  });
  return {
    newlyFailing: show(diff.newlyFailing),
    newlySucceeding: show(diff.newlySucceeding),
    added: show(diff.added),
    removed: show(diff.removed),
  };
}

export function evalRoutes(router: Router, ctx: RouteContext): void {
  const { db, render, cache } = ctx;
  const allBuildIds = (evalId: number) =>
    cache.get(`evalbuilds:${evalId}`, () => evalBuildIdsAfter(db, evalId, 0, Number.MAX_SAFE_INTEGER));

  router.get('/eval/:id', (req, res) => {
    const { evaluation, jobset } = requireEval(ctx, res, req.params.id);
    const inputs = evalInputs(db, evaluation.id);
    sendPage(req, res, render, {
      template: 'eval',
      view: () => {
        const compareId =
          req.query.compare !== undefined
            ? intParam(req.query.compare, 'evaluation')
            : previousEvalId(db, jobset.id, evaluation.id);
        // The other evaluation is loaded with the viewer's rights too: a private one is "not found".
        if (compareId !== undefined && req.query.compare !== undefined) requireEval(ctx, res, req.query.compare);
        else if (compareId !== undefined && !getEval(db, compareId))
          throw new NotFound(`evaluation ${compareId} to compare with`);
        const group = groupOf(req);
        const summary = cache.get(`summary:${evaluation.id}`, () => evalSummary(db, evaluation.id));
        const total = {
          all: summary.total,
          failed: summary.failed,
          succeeded: summary.succeeded,
          queued: summary.queued,
        }[group];
        const p = paging(req, 50);
        // The diff (up to 400 links) and the page of builds depend on the database alone:
        // computed and rendered once per database change.
        const diff =
          compareId === undefined
            ? null
            : cache.get(`diff:${evaluation.id}:${compareId}`, () =>
                render.fragment('eval-diff', {
                  diff: diffView(diffEvals(evalJobStates(db, evaluation.id), evalJobStates(db, compareId))),
                }),
              );
        return {
          title: `Evaluation ${evaluation.id} of ${jobset.project}:${jobset.name}`,
          evaluation,
          coverageUrl: cache.get(`evalhascoverage:${evaluation.id}`, () => evalHasCoverage(db, evaluation.id))
            ? `${links.eval(evaluation.id)}/coverage`
            : null,
          jobset: {
            project: jobset.project,
            name: jobset.name,
            url: links.jobset(jobset.project, jobset.name),
            projectUrl: links.project(jobset.project),
          },
          inputs,
          summary,
          group,
          groups: (Object.keys(EVAL_GROUPS) as EvalGroup[]).map((g) => ({
            name: g,
            url: `?group=${g}`,
            current: g === group,
            count: { all: summary.total, failed: summary.failed, succeeded: summary.succeeded, queued: summary.queued }[
              g
            ],
          })),
          builds: cache.get(`evalpage:${evaluation.id}:${group}:${p.rows}:${p.offset}`, () => {
            const running = runningBuildIds(db);
            return evalBuildsPage(db, evaluation.id, group, p.rows, p.offset).map((b) => buildSummary(b, running));
          }),
          pager: pager(req, p, total),
          compare: compareId === undefined ? null : { id: compareId, url: links.eval(compareId) },
          diff,
          errorCount: evalErrors(db, evaluation.id).length,
          errorsUrl: `${links.eval(evaluation.id)}/errors`,
          can: {
            restart: may(db, viewerOf(res), 'restart', jobset.project),
            cancel: may(db, viewerOf(res), 'cancel', jobset.project),
            bump: may(db, viewerOf(res), 'bump', jobset.project),
          },
        };
      },
      json: () => evalJson(evaluation, inputs, allBuildIds(evaluation.id)),
    });
  });
}
