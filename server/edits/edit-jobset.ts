import type { Response } from 'express';
import type { Db } from '../../core/db/database.ts';
import { getJobset, jobsetInputs } from '../../core/db/jobsets.ts';
import { getProject } from '../../core/db/projects.ts';
import { deleteJobset, saveJobset, type JobsetEdit } from '../../core/db/project-edits.ts';
import { requirePermission } from '../action-response.ts';
import { bool, int, NAME, str, type Body } from '../edit-fields.ts';
import { BadRequest, NotFound } from '../negotiate.ts';
import { scheduleProblem } from '../../core/schedule.ts';

const INPUT_TYPES = ['git', 'string', 'boolean', 'nix', 'path'];

function inputsOf(body: Body, fallback: JobsetEdit['inputs']): JobsetEdit['inputs'] {
  const raw = body['inputs'];
  if (raw === undefined) return fallback;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new BadRequest('inputs must be an object of NAME: {type, value}');
  return Object.entries(raw as Record<string, unknown>).map(([name, v]) => {
    if (!NAME.test(name)) throw new BadRequest(`invalid input name "${name}"`);
    const input = (v ?? {}) as Body;
    const type = str(input, 'type', '');
    if (!INPUT_TYPES.includes(type)) throw new BadRequest(`input ${name}: type must be one of ${INPUT_TYPES.join(', ')}`);
    return { name, type, value: str(input, 'value', ''), emailresponsible: bool(input, 'emailresponsible', false) };
  });
}

/**
 * Creating or updating a jobset (PUT as JSON, or the HTML form): needs the project's owner,
 * a member or an admin. Fields left out keep their values; the result is checked whole
 * (the Nix expression's input must be one of the inputs) before anything is written.
 */
export function editJobset(db: Db, res: Response, project: string, name: string, body: Body): { created: boolean } {
  if (!getProject(db, project)) throw new NotFound(`project ${project}`);
  requirePermission(db, res, 'edit-jobset', project);
  if (!NAME.test(name)) throw new BadRequest(`invalid jobset name "${name}": letters, digits, _ . - only`);
  const old = getJobset(db, project, name);
  const oldInputs = old ? jobsetInputs(db, old.id).map((i) => ({ ...i, emailresponsible: i.emailresponsible === 1 })) : [];
  const edit: JobsetEdit = {
    project, name,
    description: str(body, 'description', old?.description ?? ''),
    nixexprinput: str(body, 'nixexprinput', old?.nixexprinput ?? ''),
    nixexprpath: str(body, 'nixexprpath', old?.nixexprpath ?? ''),
    enabled: int(body, 'enabled', old?.enabled ?? 1, 0, 3),
    hidden: body['visible'] !== undefined ? !bool(body, 'visible', true) : bool(body, 'hidden', old ? old.hidden === 1 : false),
    checkinterval: int(body, 'checkinterval', old?.checkinterval ?? 300),
    schedule: str(body, 'schedule', old?.schedule ?? '').trim(),
    schedulingshares: int(body, 'schedulingshares', old?.schedulingshares ?? 100, 1),
    enableemail: bool(body, 'enableemail', old ? old.enableemail === 1 : true),
    emailoverride: str(body, 'emailoverride', old?.emailoverride ?? ''),
    keepnr: int(body, 'keepnr', old?.keepnr ?? 3),
    inputs: inputsOf(body, oldInputs),
  };
  if (!edit.nixexprinput || !edit.nixexprpath) throw new BadRequest('nixexprinput and nixexprpath are required');
  const problem = edit.schedule ? scheduleProblem(edit.schedule) : null;
  if (problem) throw new BadRequest(`schedule "${edit.schedule}" is not a schedule: ${problem}`);
  if (!edit.inputs.some((i) => i.name === edit.nixexprinput)) throw new BadRequest(`nixexprinput "${edit.nixexprinput}" is not one of the inputs`);
  return { created: saveJobset(db, edit) };
}

export function removeJobset(db: Db, res: Response, project: string, name: string): void {
  if (!getJobset(db, project, name)) throw new NotFound(`jobset ${project}:${name}`);
  requirePermission(db, res, 'edit-jobset', project);
  deleteJobset(db, project, name);
}
