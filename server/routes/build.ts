import type { Router } from 'express';
import { buildEvalIds, buildMetrics, buildOutputs, buildProducts, buildSteps, getBuild, runningBuildIds } from '../../core/db/builds.ts';
import { statusLabel } from '../../core/model/status.ts';
import { buildJson } from '../json-shapes.ts';
import { intParam, NotFound, sendPage } from '../negotiate.ts';
import type { RouteContext } from '../route-context.ts';
import { buildSummary } from '../views/build-summary.ts';
import { links } from '../views/links.ts';

export function buildRoutes(router: Router, { db, render }: RouteContext): void {
  router.get('/build/:id', (req, res) => {
    const build = getBuild(db, intParam(req.params.id, 'build'));
    if (!build) throw new NotFound(`build ${req.params.id}`);
    const outputs = buildOutputs(db, build.id);
    const products = buildProducts(db, build.id);
    const metrics = buildMetrics(db, build.id);
    const evals = buildEvalIds(db, build.id);
    const steps = buildSteps(db, build.id);
    sendPage(req, res, render, {
      template: 'build',
      view: {
        title: `Build ${build.id} of job ${build.project}:${build.jobset}:${build.job}`,
        build: {
          ...buildSummary(build, runningBuildIds(db)), drvpath: build.drvpath, description: build.description,
          releasename: build.releasename, iscachedbuild: build.iscachedbuild === 1, size: build.size, closuresize: build.closuresize,
          projectUrl: links.project(build.project), jobsetUrl: links.jobset(build.project, build.jobset), logUrl: links.buildLog(build.id),
        },
        outputs,
        steps: steps.map((s) => ({
          ...s, status: statusLabel(s.busy === 0, s.status, s.busy !== 0),
          duration: s.starttime && s.stoptime ? s.stoptime - s.starttime : null,
          logUrl: `${links.buildLog(build.id)}?step=${s.stepnr}`,
        })),
        products: products.map((p) => ({ ...p, url: links.download(build.id, p.productnr) })),
        metrics,
        evals: evals.map((id) => ({ id, url: links.eval(id) })),
      },
      json: () => buildJson(build, { outputs, products, metrics, evals }),
    });
  });
}
