import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { PathRules } from './path-rules.ts';
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
export function readSpecDir(dir: string, paths?: PathRules): SpecFileResult[] {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort();
  } catch (e) {
    throw new SpecError(`cannot read jobsets directory ${dir}: ${(e as Error).message}`);
  }
  return files.map((f): SpecFileResult => {
    const file = join(dir, f);
    const project = basename(f, '.json');
    try {
      const spec = parseProjectSpec(project, readSpecFile(file), file, { baseDir: dir, paths });
      return { file, project, ok: true, spec };
    } catch (e) {
      if (!(e instanceof SpecError)) throw e;
      return { file, project, ok: false, error: e.message };
    }
  });
}

/** A spec is small; a bigger file is refused rather than read whole. */
const MAX_SPEC_BYTES = 1 << 20;

/**
 * The text of one spec file, or a SpecError that names it: a directory, a dangling
 * symlink, a pipe (reading one would wait forever), an unreadable or an oversized file is
 * that file's problem only, never the other files'.
 */
function readSpecFile(file: string): string {
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new SpecError(`${file}: not a regular file`);
    if (st.size > MAX_SPEC_BYTES)
      throw new SpecError(`${file}: ${st.size} bytes, more than a spec may have (${MAX_SPEC_BYTES})`);
    return readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof SpecError) throw e;
    const err = e as NodeJS.ErrnoException;
    throw new SpecError(
      `${file}: cannot read it (${err.code === 'ENOENT' ? 'a symlink to nothing' : (err.code ?? err.message)})`,
    );
  }
}
