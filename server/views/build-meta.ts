import type { BuildWithJobset, EvalRow } from '../../core/model/rows.ts';

/**
 * The facts about a job that Hydra's build page shows from its meta attributes and its
 * evaluation (root/build.tt: Nix expression, Nix name, short description, licence, homepage,
 * maintainers, output size), each null when not given. The homepage is a link only when it
 * is an http(s) URL: anyone who pushes chooses it, and a `javascript:` link would run.
 */
export function buildMeta(build: BuildWithJobset, firstEval: EvalRow | undefined) {
  const homepage = build.homepage ?? null;
  return {
    nixExpression: firstEval?.nixexprinput
      ? { path: firstEval.nixexprpath ?? '', input: firstEval.nixexprinput }
      : null,
    nixname: build.nixname,
    description: build.description ?? null,
    license: build.license ?? null,
    homepage,
    homepageUrl: homepage && /^https?:\/\//i.test(homepage) ? homepage : null,
    maintainers: build.maintainers ?? null,
    size: build.finished === 1 ? build.size : null,
  };
}
