import type { Router } from 'express';
import { evalBuildIdsAfter } from '../../core/db/eval-pages.ts';
import { evalInputs, evalSummary } from '../../core/db/evals.ts';
import { countEvalsWithNewBuilds, evalsWithNewBuilds, previousEvalWithNewBuilds } from '../../core/db/global-lists.ts';
import type { EvalInputRow } from '../../core/model/rows.ts';
import { evalJson } from '../json-shapes.ts';
import { hiddenFrom } from '../lookups.ts';
import { sendPage } from '../negotiate.ts';
import { pager, paging } from '../paging.ts';
import type { RouteContext } from '../route-context.ts';
import { links } from '../views/links.ts';

const changed = (cur: EvalInputRow, prev: EvalInputRow | undefined) =>
  !prev ||
  (cur.revision ?? '') !== (prev.revision ?? '') ||
  cur.type !== prev.type ||
  (cur.uri ?? '') !== (prev.uri ?? '') ||
  String(cur.dependency ?? '') !== String(prev.dependency ?? '');

/**
 * Hydra's /evals (Root.pm evals with Helper/Nix.pm getEvals): the evaluations of every
 * readable project that added builds, 20 a page, each with its counts, the change in
 * successes since the previous such evaluation of its jobset, and the inputs that changed.
 */
export function evalsRoutes(router: Router, ctx: RouteContext): void {
  const { db, render, cache } = ctx;
  router.get('/evals', (req, res) => {
    const hidden = hiddenFrom(ctx, res);
    const p = paging(req, 20, 100);
    const evals = evalsWithNewBuilds(db, hidden, p.rows, p.offset);
    const total = countEvalsWithNewBuilds(db, hidden);
    const summary = (id: number) => cache.get(`summary:${id}`, () => evalSummary(db, id));
    const entries = evals.map((e) => {
      const cur = summary(e.id);
      const prevId = previousEvalWithNewBuilds(db, e.jobset_id, e.id);
      const inputs = evalInputs(db, e.id);
      const prevInputs = prevId === undefined ? [] : evalInputs(db, prevId);
      const changedInputs = inputs
        .filter((i) =>
          changed(
            i,
            prevInputs.find((q) => q.name === i.name),
          ),
        )
        .sort((a, b) => a.name.localeCompare(b.name));
      return {
        e,
        inputs,
        cur,
        diff: prevId === undefined ? 0 : cur.succeeded - summary(prevId).succeeded,
        changedInputs,
      };
    });
    sendPage(req, res, render, {
      template: 'evals',
      view: () => ({
        title: 'Latest evaluations',
        total,
        evals: entries.map(({ e, cur, diff, changedInputs }) => ({
          id: e.id,
          url: links.eval(e.id),
          timestamp: e.timestamp,
          project: e.project,
          jobset: e.jobset,
          jobsetUrl: links.jobset(e.project, e.jobset),
          ...cur,
          diff,
          changedInputs: changedInputs.map((i) => `${i.name} → ${i.revision ?? i.value ?? ''}`).join(', '),
        })),
        pager: pager(req, p, total),
      }),
      json: () =>
        entries.map(({ e, inputs, cur, diff, changedInputs }) => ({
          eval: evalJson(e, inputs, evalBuildIdsAfter(db, e.id, 0, 1_000_000)),
          nrScheduled: cur.queued,
          nrSucceeded: cur.succeeded,
          nrFailed: cur.total - cur.succeeded - cur.queued,
          diff,
          changedInputs: changedInputs.map((i) => ({
            name: i.name,
            type: i.type,
            uri: i.uri,
            revision: i.revision,
            value: i.value,
            dependency: i.dependency,
          })),
        })),
    });
  });
}
