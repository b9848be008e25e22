import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseProjectSpec, SpecError } from './validate.ts';
import type { ProjectSpec } from './types.ts';

export type SpecFileResult =
  | { file: string; project: string; ok: true; spec: ProjectSpec }
  | { file: string; project: string; ok: false; error: string };

/**
 * Reads every `*.json` directly in dir (subdirectories hold Nix expressions, not specs).
 * Relative `path` and `git` input values are resolved against the spec file's directory,
 * so a spec can point at expressions that sit beside it.
 */
export function readSpecDir(dir: string): SpecFileResult[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  } catch (e) {
    throw new SpecError(`cannot read jobsets directory ${dir}: ${(e as Error).message}`);
  }
  return files.map((f): SpecFileResult => {
    const file = join(dir, f);
    const project = basename(f, '.json');
    try {
      const spec = parseProjectSpec(project, readFileSync(file, 'utf8'), file);
      for (const jobset of spec.jobsets) {
        for (const input of jobset.inputs) input.value = resolveLocal(input.type, input.value, dir);
      }
      if (spec.declarative) spec.declarative.value = resolveLocal(spec.declarative.type, spec.declarative.value, dir);
      return { file, project, ok: true, spec };
    } catch (e) {
      if (!(e instanceof SpecError)) throw e;
      return { file, project, ok: false, error: e.message };
    }
  });
}

function resolveLocal(type: string, value: string, dir: string): string {
  if (type === 'path') return value.startsWith('/') ? value : join(dir, value);
  if (type === 'git') {
    const [url, ...rest] = value.trim().split(/\s+/);
    if (url && (url.startsWith('./') || url.startsWith('../') || url === '.')) return [join(dir, url), ...rest].join(' ');
  }
  return value;
}
