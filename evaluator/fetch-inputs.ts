import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { exportRevision, fetchGitRevision, parseGitInputValue } from '../core/git.ts';
import type { Db } from '../core/db/database.ts';
import { getJobset } from '../core/db/jobsets.ts';
import { getProject } from '../core/db/projects.ts';
import { latestBuildOfJob } from '../core/db/builds.ts';
import { buildOutputs } from '../core/db/builds.ts';
import type { ResolvedInput } from '../core/db/evals.ts';
import type { JobsetInputRow } from '../core/model/rows.ts';
import type { EvalRequest, Nix, SourceCopy } from '../core/nix/nix.ts';
import { nixString } from '../core/nix/nix-syntax.ts';
import { hashSource, type SourceHash } from '../core/nix/source-path.ts';
import { gitUrlProblem, pathInputProblem } from '../core/jobset-specs/path-rules.ts';

export class InputError extends Error {}

export interface FetchedInputs {
  resolved: ResolvedInput[];
  args: EvalRequest['args'];
  /** Identifies the inputs' values: equal hash → nothing changed since the last evaluation. */
  hash: string;
  /**
   * With `copyLater`: path inputs whose store paths `resolved` and `args` already use, not
   * copied yet (the evaluation copies them: EvalRequest.copies).
   */
  copies: SourceCopy[];
}

interface Ctx {
  db: Db;
  nix: Nix;
  gitCacheDir: string;
  tmpDir: string;
  stateDir: string;
  /**
   * The project of the jobset whose inputs these are: a private project's builds are inputs to its
   * own jobsets only.
   */
  project: string;
  /**
   * A changed path input is left for the evaluation to copy (FetchedInputs.copies) instead of
   * being added here: one Nix process start less.
   */
  copyLater?: boolean;
}

/**
 * The store path of a revision's tree. Each revision is exported and copied to the store
 * once; the path is remembered beside the mirror, so polling an unchanged repository costs
 * one fetch, for every jobset that uses it.
 */
async function checkout(ctx: Ctx, mirror: string, rev: string): Promise<string> {
  const remembered = join(mirror, 'hydrant-store-paths', rev);
  const known = existsSync(remembered) ? readFileSync(remembered, 'utf8').trim() : '';
  if (known && existsSync(known)) return known;
  const dir = mkdtempSync(join(ctx.tmpDir, 'checkout-'));
  try {
    const tree = join(dir, 'source');
    await exportRevision(mirror, rev, tree);
    const path = await ctx.nix.addToStore(tree);
    mkdirSync(dirname(remembered), { recursive: true });
    writeFileSync(remembered, path);
    return path;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The store path of a path input. Most polls find its contents in the store already: hashing
 * it here costs no Nix process, where `nix-store --add` costs one (mostly its start-up). A
 * changed one is copied now, or left to the evaluation (`copyLater`); one that cannot be
 * hashed here is given to `nix-store --add`, which says why.
 */
async function pathInput(ctx: Ctx, dir: string, copies: SourceCopy[]): Promise<string> {
  let source: SourceHash;
  try {
    source = hashSource(dir);
  } catch {
    return ctx.nix.addToStore(dir);
  }
  if (existsSync(source.storePath) && (await ctx.nix.validPaths([source.storePath])).has(source.storePath))
    return source.storePath;
  if (!ctx.copyLater) return ctx.nix.addToStore(dir);
  copies.push({ hostPath: dir, ...source });
  return source.storePath;
}

/** Resolves every input of a jobset to a fixed value (a git revision, a store path, a string). */
export async function fetchInputs(ctx: Ctx, inputs: JobsetInputRow[]): Promise<FetchedInputs> {
  const resolved: ResolvedInput[] = [];
  const args: EvalRequest['args'] = {};
  const copies: SourceCopy[] = [];
  for (const input of inputs) {
    const r = await resolveInput(ctx, input, copies);
    resolved.push(r.resolved);
    args[input.name] = r.arg;
  }
  const hash = createHash('sha256')
    .update(JSON.stringify(resolved.map((r) => [r.name, r.type, r.uri, r.revision, r.value, r.path, r.dependency])))
    .digest('hex');
  return { resolved, args, hash, copies };
}

async function resolveInput(
  ctx: Ctx,
  input: JobsetInputRow,
  copies: SourceCopy[],
): Promise<{ resolved: ResolvedInput; arg: EvalRequest['args'][string] }> {
  const base = {
    name: input.name,
    type: input.type,
    uri: null,
    revision: null,
    value: null,
    path: null,
    dependency: null,
  };
  switch (input.type) {
    case 'string':
      return { resolved: { ...base, value: input.value }, arg: { str: input.value } };
    case 'boolean':
      return { resolved: { ...base, value: input.value }, arg: { expr: input.value === 'true' ? 'true' : 'false' } };
    case 'nix':
      return { resolved: { ...base, value: input.value }, arg: { expr: `(${input.value})` } };
    case 'path': {
      if (!existsSync(input.value)) throw new InputError(`input "${input.name}": path ${input.value} does not exist`);
      // Checked again here, whoever wrote the row and whatever a symlink points at now: copying the
      // state directory (or a directory holding it) would put the database into the store.
      const problem = pathInputProblem(input.value, { allowed: ['/'], stateDir: ctx.stateDir });
      if (problem) throw new InputError(`input "${input.name}": ${problem}`);
      const path = await pathInput(ctx, input.value, copies);
      return { resolved: { ...base, uri: input.value, path }, arg: { expr: `builtins.storePath ${nixString(path)}` } };
    }
    case 'git': {
      const { url, branch } = parseGitInputValue(input.value);
      const problem = gitUrlProblem(url, { allowed: ['/'], stateDir: ctx.stateDir });
      if (problem) throw new InputError(`input "${input.name}": ${problem}`);
      const rev = await fetchGitRevision(ctx.gitCacheDir, url, branch);
      const path = await checkout(ctx, rev.mirror, rev.rev);
      const expr =
        `{ outPath = builtins.storePath ${nixString(path)}; rev = ${nixString(rev.rev)}; ` +
        `shortRev = ${nixString(rev.shortRev)}; revCount = ${rev.revCount}; }`;
      return { resolved: { ...base, uri: url, revision: rev.rev, value: branch, path }, arg: { expr } };
    }
    case 'build': {
      // Hydra's build input: "project:jobset:job", the latest successful build of that job.
      const [project, jobsetName, job] = input.value.split(':');
      // Another project's private builds are "not there", exactly as a job that never built.
      const visible = project === ctx.project || getProject(ctx.db, project ?? '')?.private !== 1;
      const jobset = project && jobsetName && visible ? getJobset(ctx.db, project, jobsetName) : undefined;
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
