import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { exportRevision, fetchGitRevision, parseGitInputValue } from '../core/git.ts';
import type { Db } from '../core/db/database.ts';
import { getJobset } from '../core/db/jobsets.ts';
import { latestBuildOfJob } from '../core/db/builds.ts';
import { buildOutputs } from '../core/db/builds.ts';
import type { ResolvedInput } from '../core/db/evals.ts';
import type { EvalInputRow, JobsetInputRow } from '../core/model/rows.ts';
import type { EvalRequest, Nix } from '../core/nix/nix.ts';
import { nixString } from '../core/nix/nix-syntax.ts';

export class InputError extends Error {}

export interface FetchedInputs {
  resolved: ResolvedInput[];
  args: EvalRequest['args'];
  /** Identifies the inputs' values: equal hash → nothing changed since the last evaluation. */
  hash: string;
}

interface Ctx {
  db: Db;
  nix: Nix;
  gitCacheDir: string;
  tmpDir: string;
  /** The inputs of the jobset's latest evaluation: a git revision seen there is not exported again. */
  previous?: readonly EvalInputRow[];
}

async function checkout(ctx: Ctx, mirror: string, rev: string): Promise<string> {
  const dir = mkdtempSync(join(ctx.tmpDir, 'checkout-'));
  try {
    const tree = join(dir, 'source');
    await exportRevision(mirror, rev, tree);
    return await ctx.nix.addToStore(tree);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Resolves every input of a jobset to a fixed value (a git revision, a store path, a string). */
export async function fetchInputs(ctx: Ctx, inputs: JobsetInputRow[]): Promise<FetchedInputs> {
  const resolved: ResolvedInput[] = [];
  const args: EvalRequest['args'] = {};
  for (const input of inputs) {
    const r = await resolveInput(ctx, input);
    resolved.push(r.resolved);
    args[input.name] = r.arg;
  }
  const hash = createHash('sha256')
    .update(JSON.stringify(resolved.map((r) => [r.name, r.type, r.uri, r.revision, r.value, r.path, r.dependency])))
    .digest('hex');
  return { resolved, args, hash };
}

async function resolveInput(ctx: Ctx, input: JobsetInputRow): Promise<{ resolved: ResolvedInput; arg: EvalRequest['args'][string] }> {
  const base = { name: input.name, type: input.type, uri: null, revision: null, value: null, path: null, dependency: null };
  switch (input.type) {
    case 'string':
      return { resolved: { ...base, value: input.value }, arg: { str: input.value } };
    case 'boolean':
      return { resolved: { ...base, value: input.value }, arg: { expr: input.value === 'true' ? 'true' : 'false' } };
    case 'nix':
      return { resolved: { ...base, value: input.value }, arg: { expr: `(${input.value})` } };
    case 'path': {
      if (!existsSync(input.value)) throw new InputError(`input "${input.name}": path ${input.value} does not exist`);
      const path = await ctx.nix.addToStore(input.value);
      return { resolved: { ...base, uri: input.value, path }, arg: { expr: `builtins.storePath ${nixString(path)}` } };
    }
    case 'git': {
      const { url, branch } = parseGitInputValue(input.value);
      const rev = await fetchGitRevision(ctx.gitCacheDir, url, branch);
      // Polling an unchanged repository should cost one fetch, not a checkout and a store copy.
      const seen = ctx.previous?.find((p) => p.name === input.name && p.type === 'git' && p.uri === url && p.revision === rev.rev && p.path);
      const path = seen?.path && existsSync(seen.path) ? seen.path : await checkout(ctx, rev.mirror, rev.rev);
      const expr = `{ outPath = builtins.storePath ${nixString(path)}; rev = ${nixString(rev.rev)}; shortRev = ${nixString(rev.shortRev)}; revCount = ${rev.revCount}; }`;
      return { resolved: { ...base, uri: url, revision: rev.rev, value: branch, path }, arg: { expr } };
    }
    case 'build': {
      // Hydra's build input: "project:jobset:job", the latest successful build of that job.
      const [project, jobsetName, job] = input.value.split(':');
      const jobset = project && jobsetName ? getJobset(ctx.db, project, jobsetName) : undefined;
      const build = jobset && job ? latestBuildOfJob(ctx.db, jobset.id, job, { successful: true }) : undefined;
      if (!build) throw new InputError(`input "${input.name}": no successful build of ${input.value} yet`);
      const out = buildOutputs(ctx.db, build.id).find((o) => o.name === 'out') ?? buildOutputs(ctx.db, build.id)[0];
      if (!out) throw new InputError(`input "${input.name}": build ${build.id} has no outputs`);
      return {
        resolved: { ...base, value: input.value, path: out.path, dependency: build.id },
        arg: { expr: `builtins.storePath ${nixString(out.path)}` },
      };
    }
    default:
      throw new InputError(`input "${input.name}": unknown type ${input.type}`);
  }
}
