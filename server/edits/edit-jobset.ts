import type { Response } from 'express';
import { basename } from 'node:path';
import type { Db } from '../../core/db/database.ts';
import { getJobset, jobsetInputs } from '../../core/db/jobsets.ts';
import { getProject } from '../../core/db/projects.ts';
import { deleteJobset, saveJobset } from '../../core/db/project-edits.ts';
import type { PathRules } from '../../core/jobset-specs/path-rules.ts';
import { parseJobsetSpec, SpecError } from '../../core/jobset-specs/validate.ts';
import { requirePermission } from '../action-response.ts';
import { mayRead } from '../auth/permissions.ts';
import { viewerOf } from '../auth/session.ts';
import { bool, int, NAME, str, type Body } from '../edit-fields.ts';
import { BadRequest, Forbidden, NotFound } from '../negotiate.ts';

/** The project, when the viewer may read it; a private one they may not is "not found", as on every page. */
function readableProject(db: Db, res: Response, project: string) {
  const p = getProject(db, project);
  if (!p || !mayRead(db, viewerOf(res), p)) throw new NotFound(`project ${project}`);
  return p;
}

/** One writer per column, as Hydra does for declarative jobsets: what a spec file declares is changed there. */
function refuseDeclared(what: string, specSource: string | null | undefined): void {
  if (specSource)
    throw new Forbidden(`${what} is declared in ${basename(specSource.replace(/#declfile$/, ''))}; change it there`);
}

/** The inputs as a spec writes them (NAME: {type, value, emailresponsible}); the spec's validator checks them. */
function inputsOf(
  body: Body,
  fallback: { name: string; type: string; value: string; emailresponsible: number }[],
): unknown {
  if (body['inputs'] !== undefined) return body['inputs'];
  return Object.fromEntries(
    fallback.map((i) => [i.name, { type: i.type, value: i.value, emailresponsible: i.emailresponsible === 1 }]),
  );
}

/**
 * Creating or updating a jobset (PUT as JSON, or the HTML form): needs the project's owner,
 * a member or an admin. Fields left out keep their values. The result is checked whole by
 * the same validator as spec files (core/jobset-specs/validate.ts), so the rules are one: the Nix
 * expression's input exists and holds an expression, `nixexprpath` stays inside it, path
 * inputs only where `paths` allows. Nothing is written before it passes.
 */
export function editJobset(
  db: Db,
  res: Response,
  project: string,
  name: string,
  body: Body,
  paths: PathRules,
): { created: boolean } {
  const p = readableProject(db, res, project);
  requirePermission(db, res, 'edit-jobset', project);
  if (!NAME.test(name)) throw new BadRequest(`invalid jobset name "${name}": letters, digits, _ . - only`);
  const old = getJobset(db, project, name);
  refuseDeclared(`jobset ${project}:${name}`, old?.spec_source);
  if (!old && p.declfile)
    throw new Forbidden(`the jobsets of project ${project} are declared in its declfile ${p.declfile}; add it there`);
  const raw = {
    description: str(body, 'description', old?.description ?? ''),
    nixexprinput: str(body, 'nixexprinput', old?.nixexprinput ?? ''),
    nixexprpath: str(body, 'nixexprpath', old?.nixexprpath ?? 'release.nix'),
    enabled: int(body, 'enabled', old?.enabled ?? 1, 0, 3),
    hidden:
      body['visible'] !== undefined
        ? !bool(body, 'visible', true)
        : bool(body, 'hidden', old ? old.hidden === 1 : false),
    checkinterval: int(body, 'checkinterval', old?.checkinterval ?? 300),
    schedule: str(body, 'schedule', old?.schedule ?? '').trim(),
    schedulingshares: int(body, 'schedulingshares', old?.schedulingshares ?? 100, 1),
    enableemail: bool(body, 'enableemail', old ? old.enableemail === 1 : true),
    emailoverride: str(body, 'emailoverride', old?.emailoverride ?? ''),
    keepnr: int(body, 'keepnr', old?.keepnr ?? 3),
    inputs: inputsOf(body, old ? jobsetInputs(db, old.id) : []),
  };
  let spec;
  try {
    spec = parseJobsetSpec(name, raw, `project "${project}"`, { paths });
  } catch (e) {
    if (e instanceof SpecError) throw new BadRequest(e.message);
    throw e;
  }
  return { created: saveJobset(db, { project, ...spec }) };
}

export function removeJobset(db: Db, res: Response, project: string, name: string): void {
  readableProject(db, res, project);
  const old = getJobset(db, project, name);
  if (!old) throw new NotFound(`jobset ${project}:${name}`);
  requirePermission(db, res, 'edit-jobset', project);
  refuseDeclared(`jobset ${project}:${name}`, old.spec_source);
  deleteJobset(db, project, name);
}
