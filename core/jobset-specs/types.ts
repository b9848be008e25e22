/** A project as declared in a spec file (jobsets/NAME.json). */
export interface ProjectSpec {
  name: string;
  displayname: string;
  description: string;
  homepage: string;
  enabled: boolean;
  hidden: boolean;
  /** Visible to the owner, members and admins only. */
  private: boolean;
  owner: string;
  /**
   * Hydra's declarative project: the jobsets are a JSON map (Hydra's jobset keys) in the
   * file `file` of the input `type value` (git or path), re-read at every new revision.
   */
  declarative: { file: string; type: 'git' | 'path'; value: string } | null;
  /** Jobsets that parsed; invalid ones are in `invalidJobsets` with their error. */
  jobsets: JobsetSpec[];
  invalidJobsets: { name: string; error: string }[];
}

export type InputType = 'git' | 'string' | 'boolean' | 'nix' | 'path' | 'build';
export const INPUT_TYPES: readonly InputType[] = ['git', 'string', 'boolean', 'nix', 'path', 'build'];

export interface InputSpec {
  name: string;
  type: InputType;
  value: string;
  emailresponsible: boolean;
}

/** Hydra's jobset keys, with Hydra's meanings (enabled: 0 off, 1 on, 2 one-shot, 3 one-at-a-time). */
export interface JobsetSpec {
  name: string;
  enabled: 0 | 1 | 2 | 3;
  hidden: boolean;
  description: string;
  nixexprinput: string;
  nixexprpath: string;
  checkinterval: number;
  /** Beyond Hydra: a cron expression; at each time it names the jobset is evaluated. '' or left out for none. */
  schedule?: string;
  schedulingshares: number;
  enableemail: boolean;
  emailoverride: string;
  keepnr: number;
  inputs: InputSpec[];
}
