import type { Router } from 'express';
import { getEval } from '../../core/db/evals.ts';
import {
  buildEvalIds,
  buildMetrics,
  buildOutputs,
  buildProducts,
  buildSteps,
  getBuild,
  runningBuildIds,
} from '../../core/db/builds.ts';
import { latestBuildOfDrv } from '../../core/db/build-culprit.ts';
import { LogWindows, stepLogFile } from '../../core/logs.ts';
import { BuildStatus, statusLabel } from '../../core/model/status.ts';
import { may } from '../auth/permissions.ts';
import { viewerOf } from '../auth/session.ts';
import { buildJson } from '../json-shapes.ts';
import { readable, requireBuild } from '../lookups.ts';
import { sendPage, wantsJson } from '../negotiate.ts';
import { pager, paging } from '../paging.ts';
import type { RouteContext } from '../route-context.ts';
import { buildEvidence } from '../views/build-evidence.ts';
import { buildSummary } from '../views/build-summary.ts';
import { buildMeta } from '../views/build-meta.ts';
import { failingStep } from '../views/failure.ts';
import { links } from '../views/links.ts';

export function buildRoutes(router: Router, ctx: RouteContext): void {
  const { db, render, config } = ctx;
  const windows = new LogWindows();
  router.get('/build/:id', async (req, res) => {
    const build = requireBuild(ctx, res, req.params.id);
    const outputs = buildOutputs(db, build.id);
    const products = buildProducts(db, build.id);
    const steps = buildSteps(db, build.id);
    const failed = failingStep(build, steps);
    const failedLog = failed && !wantsJson(req) ? stepLogFile(config.stateDir, failed.logfile) : null;
    const tail = failedLog
      ? (
          await windows.read(failedLog, {
            start: 1,
            headLines: 0,
            tailLines: 40,
            tailBytes: 256 * 1024,
            growing: false,
          })
        ).tail.map((l) => l.text)
      : [];
    const productPage = paging(req, 100, 500);
    const metrics = buildMetrics(db, build.id);
    const evals = buildEvalIds(db, build.id);
    sendPage(req, res, render, {
      template: 'build',
      view: () => {
        // The build that broke this one may belong to a private project the viewer may not read: not named then.
        const shown = (id: number | null | undefined) => {
          const other = id === null || id === undefined ? undefined : getBuild(db, id);
          return other && readable(ctx, res, other.project) ? other.id : undefined;
        };
        const culpritId = shown(
          failed && failed.drvpath !== build.drvpath
            ? (failed.propagatedfrom ?? latestBuildOfDrv(db, failed.drvpath ?? ''))
            : undefined,
        );
        const viewer = viewerOf(res);
        const can = (a: 'restart' | 'cancel' | 'bump' | 'keep') => may(db, viewer, a, build.project);
        return {
          title: `Build ${build.id} of job ${build.project}:${build.jobset}:${build.job}`,
          build: {
            ...buildSummary(build, runningBuildIds(db)),
            drvpath: build.drvpath,
            description: build.description,
            releasename: build.releasename,
            iscachedbuild: build.iscachedbuild === 1,
            cachedFailure:
              build.iscachedbuild === 1 &&
              (build.buildstatus === BuildStatus.Failed || build.buildstatus === BuildStatus.DependencyFailed),
            size: build.size,
            closuresize: build.closuresize,
            keep: build.keep === 1,
            priority: build.priority,
            machine: steps.at(-1)?.machine ?? null,
            projectUrl: links.project(build.project),
            jobsetUrl: links.jobset(build.project, build.jobset),
            logUrl: links.buildLog(build.id),
          },
          meta: buildMeta(build, evals[0] === undefined ? undefined : getEval(db, evals[0])),
          outputs,
          steps: steps.map((s) => ({
            ...s,
            status: statusLabel(s.busy === 0, s.status, s.busy !== 0),
            running: s.busy !== 0,
            duration: s.starttime && s.stoptime ? s.stoptime - s.starttime : null,
            logUrl: links.stepLog(build.id, s.stepnr),
            propagatedfrom: shown(s.propagatedfrom) ?? null,
            propagatedUrl: shown(s.propagatedfrom) !== undefined ? links.build(s.propagatedfrom!) : null,
          })),
          failure: failed
            ? {
                stepnr: failed.stepnr,
                drvpath: failed.drvpath,
                machine: failed.machine,
                errormsg: failed.errormsg,
                status: statusLabel(true, failed.status),
                logUrl: links.stepLog(build.id, failed.stepnr),
                tail,
                culprit:
                  culpritId !== undefined && culpritId !== build.id
                    ? { id: culpritId, url: links.build(culpritId) }
                    : null,
              }
            : null,
          // 20,000 products would make a page nobody can load: they come 100 at a time.
          products: products
            .slice(productPage.offset, productPage.offset + productPage.rows)
            .map((p) => ({ ...p, url: links.download(build.id, p.productnr) })),
          productsPager: products.length > productPage.rows ? pager(req, productPage, products.length) : null,
          metrics,
          evidence: buildEvidence(db, build.id),
          evals: evals.map((id) => ({ id, url: links.eval(id) })),
          actions: {
            restart: build.finished === 1 && can('restart'),
            cancel: build.finished === 0 && can('cancel'),
            bump: build.finished === 0 && can('bump'),
            keep: can('keep'),
          },
          constituentsUrl: build.isaggregate ? `${links.build(build.id)}/constituents` : null,
        };
      },
      json: () => buildJson(build, { outputs, products, metrics, evals }),
    });
  });
}
