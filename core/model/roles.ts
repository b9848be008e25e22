/**
 * Hydra's user roles. `admin` may do everything; the others grant one power on every
 * project. Project owners and members get their powers from the project, not from a role.
 */
export const ROLES = [
  'admin',
  'create-projects',
  'restart-jobs',
  'cancel-build',
  'bump-to-front',
  'eval-jobset',
] as const;
