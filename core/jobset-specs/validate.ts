import { parseDeclarative } from './declarative.ts';
import { bool, int, isObject, rejectUnknown, SpecError, str, type Json } from './fields.ts';
import { scheduleProblem } from '../schedule.ts';
import { join } from 'node:path';
import { gitUrlProblem, pathInputProblem, type PathRules } from './path-rules.ts';
import { INPUT_TYPES, type InputSpec, type InputType, type JobsetSpec, type ProjectSpec } from './types.ts';

export { SpecError };

/**
 * Where a spec comes from, for the checks that depend on it: relative `path` values and
 * relative git URLs are resolved against `baseDir` (a spec file's directory), and `path`
 * inputs must follow `paths`. Every way into a jobset passes one: the spec files, the
 * declfiles, the web form and PUT /jobset/P/J. Without it only the syntax is checked.
 */
export interface SpecContext {
  baseDir?: string;
  paths?: PathRules;
}

function resolveLocal(type: string, value: string, baseDir: string | undefined): string {
  if (!baseDir) return value;
  if (type === 'path') return value.startsWith('/') ? value : join(baseDir, value);
  if (type === 'git') {
    const [url, ...rest] = value.trim().split(/\s+/);
    if (url && (url.startsWith('./') || url.startsWith('../') || url === '.'))
      return [join(baseDir, url), ...rest].join(' ');
  }
  return value;
}

/**
 * What the path rules say against an input's value: a path outside the allowed directories, a git
 * URL of a refused kind.
 */
function inputProblem(type: string, value: string, paths: PathRules | undefined): string | null {
  if (type === 'path' && paths) return pathInputProblem(value, paths);
  if (type === 'git') return gitUrlProblem(value.trim().split(/\s+/)[0] ?? '', paths);
  return null;
}

const PROJECT_KEYS = [
  'displayname',
  'description',
  'homepage',
  'enabled',
  'hidden',
  'private',
  'owner',
  'jobsets',
  'declfile',
  'decltype',
  'declvalue',
];
const JOBSET_KEYS = [
  'enabled',
  'hidden',
  'description',
  'nixexprinput',
  'nixexprpath',
  'checkinterval',
  'schedule',
  'schedulingshares',
  'enableemail',
  'emailoverride',
  'keepnr',
  'inputs',
];
/** Hydra's newer keys for the jobset type; only the legacy type 0 is supported. */
const HYDRA_TYPE_KEYS = ['type', 'flake'];
const INPUT_KEYS = ['type', 'value', 'emailresponsible'];

/** Names users put in URLs: Hydra's rule for project and jobset identifiers. */
export const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function enabledState(obj: Json, where: string): 0 | 1 | 2 | 3 {
  const v = obj['enabled'];
  if (v === undefined || v === null || v === true) return 1;
  if (v === false) return 0;
  if (v === 0 || v === 1 || v === 2 || v === 3) return v;
  throw new SpecError(
    `${where}: "enabled" must be 0 (disabled), 1 (enabled), 2 (one-shot) or 3 (one-at-a-time), ` +
      `got ${JSON.stringify(v)}`,
  );
}

function parseInput(name: string, raw: unknown, where: string, ctx: SpecContext): InputSpec {
  const at = `${where}, input "${name}"`;
  if (!NAME_PATTERN.test(name)) throw new SpecError(`${at}: input names must match ${NAME_PATTERN}`);
  if (!isObject(raw)) throw new SpecError(`${at}: must be an object with "type" and "value"`);
  rejectUnknown(raw, INPUT_KEYS, at);
  const type = raw['type'];
  if (typeof type !== 'string' || !INPUT_TYPES.includes(type as InputType)) {
    throw new SpecError(`${at}: "type" must be one of ${INPUT_TYPES.join(', ')}, got ${JSON.stringify(type)}`);
  }
  let value = raw['value'];
  if (type === 'boolean' && typeof value === 'boolean') value = String(value);
  if (typeof value !== 'string') throw new SpecError(`${at}: "value" must be a string, got ${JSON.stringify(value)}`);
  if (type === 'boolean' && value !== 'true' && value !== 'false') {
    throw new SpecError(`${at}: a boolean input's "value" must be "true" or "false", got ${JSON.stringify(value)}`);
  }
  if ((type === 'git' || type === 'path') && value.trim() === '')
    throw new SpecError(`${at}: "value" must name a ${type === 'git' ? 'repository' : 'path'}`);
  const resolved = resolveLocal(type, value, ctx.baseDir);
  const problem = inputProblem(type, resolved, ctx.paths);
  if (problem) throw new SpecError(`${at}: ${problem}`);
  return { name, type: type as InputType, value: resolved, emailresponsible: bool(raw, 'emailresponsible', at, false) };
}

export function parseJobsetSpec(name: string, raw: unknown, where: string, ctx: SpecContext = {}): JobsetSpec {
  const at = `${where}, jobset "${name}"`;
  if (!NAME_PATTERN.test(name)) throw new SpecError(`${at}: jobset names must match ${NAME_PATTERN}`);
  if (!isObject(raw)) throw new SpecError(`${at}: must be an object`);
  rejectUnknown(raw, [...JOBSET_KEYS, ...HYDRA_TYPE_KEYS], at);
  // Specs written for Hydra often say "type": 0 (a legacy, non-flake jobset): that is ours.
  if ((raw['type'] ?? 0) !== 0 || raw['flake'] !== undefined) {
    throw new SpecError(
      `${at}: flake jobsets ("type": 1, "flake") are not supported; use "type": 0 or leave it ` +
        `out, with "nixexprinput" and "nixexprpath"`,
    );
  }
  const inputsRaw = raw['inputs'] ?? {};
  if (!isObject(inputsRaw))
    throw new SpecError(`${at}: "inputs" must be an object mapping input names to { "type", "value" }`);
  const inputs = Object.entries(inputsRaw).map(([n, v]) => parseInput(n, v, at, ctx));
  const nixexprinput = str(raw, 'nixexprinput', at, '');
  if (!nixexprinput) throw new SpecError(`${at}: "nixexprinput" is required (the input holding the Nix expression)`);
  const exprInput = inputs.find((i) => i.name === nixexprinput);
  if (!exprInput)
    throw new SpecError(
      `${at}: "nixexprinput" names "${nixexprinput}", which is not one of its inputs ` +
        `(${inputs.map((i) => i.name).join(', ') || 'none'})`,
    );
  if (exprInput.type !== 'git' && exprInput.type !== 'path')
    throw new SpecError(`${at}: "nixexprinput" must be a git or path input, "${nixexprinput}" is ${exprInput.type}`);
  const nixexprpath = str(raw, 'nixexprpath', at, 'release.nix');
  if (
    nixexprpath === '' ||
    nixexprpath.startsWith('/') ||
    nixexprpath.split('/').includes('..') ||
    /[\0\\]/.test(nixexprpath)
  ) {
    throw new SpecError(
      `${at}: "nixexprpath" must be a relative path inside the input, got ${JSON.stringify(nixexprpath)}`,
    );
  }
  const schedule = str(raw, 'schedule', at, '').trim();
  const problem = schedule ? scheduleProblem(schedule) : null;
  if (problem) throw new SpecError(`${at}: "schedule" ${JSON.stringify(schedule)} is not a schedule: ${problem}`);
  return {
    name,
    enabled: enabledState(raw, at),
    hidden: bool(raw, 'hidden', at, false),
    description: str(raw, 'description', at, ''),
    nixexprinput,
    nixexprpath,
    checkinterval: int(raw, 'checkinterval', at, 300, 0),
    schedule,
    schedulingshares: int(raw, 'schedulingshares', at, 100, 1),
    enableemail: bool(raw, 'enableemail', at, false),
    emailoverride: str(raw, 'emailoverride', at, ''),
    keepnr: int(raw, 'keepnr', at, 3, 0),
    inputs,
  };
}

/**
 * Parses one project spec file. A file that is not valid JSON or whose project-level keys
 * are wrong throws SpecError; a bad jobset is reported in invalidJobsets and does not stop
 * the others.
 */
export function parseProjectSpec(name: string, text: string, where: string, ctx: SpecContext = {}): ProjectSpec {
  if (!NAME_PATTERN.test(name))
    throw new SpecError(`${where}: project names (the file name) must match ${NAME_PATTERN}`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new SpecError(`${where}: not valid JSON: ${(e as Error).message}`);
  }
  if (!isObject(raw)) throw new SpecError(`${where}: must be a JSON object with "displayname" and "jobsets"`);
  rejectUnknown(raw, PROJECT_KEYS, where);
  const declarative = parseDeclarative(raw, where);
  if (declarative && raw['jobsets'] !== undefined) {
    throw new SpecError(`${where}: a declarative project takes its jobsets from "declfile"; remove "jobsets"`);
  }
  if (declarative) {
    declarative.value = resolveLocal(declarative.type, declarative.value, ctx.baseDir);
    const problem = inputProblem(declarative.type, declarative.value, ctx.paths);
    if (problem) throw new SpecError(`${where}: "declvalue": ${problem}`);
  }
  const { jobsets, invalidJobsets } = parseJobsetMap(raw['jobsets'] ?? {}, where, ctx);
  return {
    name,
    displayname: str(raw, 'displayname', where, name),
    description: str(raw, 'description', where, ''),
    homepage: str(raw, 'homepage', where, ''),
    enabled: bool(raw, 'enabled', where, true),
    hidden: bool(raw, 'hidden', where, false),
    private: bool(raw, 'private', where, false),
    owner: str(raw, 'owner', where, ''),
    declarative,
    jobsets,
    invalidJobsets,
  };
}

/**
 * A map of jobset names to specs (a project file's "jobsets", or a declarative project's
 * declfile). Each bad jobset is reported on its own and does not stop the others.
 */
export function parseJobsetMap(
  raw: unknown,
  where: string,
  ctx: SpecContext = {},
): { jobsets: JobsetSpec[]; invalidJobsets: { name: string; error: string }[] } {
  if (!isObject(raw)) throw new SpecError(`${where}: the jobsets must be an object mapping jobset names to specs`);
  const jobsets: JobsetSpec[] = [];
  const invalidJobsets: { name: string; error: string }[] = [];
  for (const [jobsetName, spec] of Object.entries(raw)) {
    try {
      jobsets.push(parseJobsetSpec(jobsetName, spec, where, ctx));
    } catch (e) {
      if (!(e instanceof SpecError)) throw e;
      invalidJobsets.push({ name: jobsetName, error: e.message });
    }
  }
  return { jobsets, invalidJobsets };
}

/** A declfile's text: JSON, else a SpecError naming where it came from. */
export function parseDeclfile(text: string, where: string, ctx: SpecContext = {}): ReturnType<typeof parseJobsetMap> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new SpecError(`${where}: not valid JSON: ${(e as Error).message}`);
  }
  return parseJobsetMap(raw, where, ctx);
}
