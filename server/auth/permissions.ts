import type { Db } from '../../core/db/database.ts';
import { getProject } from '../../core/db/projects.ts';
import { hiddenProjects } from '../../core/db/visibility.ts';
import { isProjectMember } from '../../core/db/users.ts';
import type { Viewer } from './session.ts';

/**
 * Who may do what, following Hydra's roles: `admin` may do everything; a project's owner
 * and members may act on its jobsets and builds; the global roles `restart-jobs`,
 * `cancel-build`, `bump-to-front` and `eval-jobset` grant one action on every project;
 * `create-projects` allows creating projects (whose owner the creator becomes).
 */
export type Action =
  | 'restart'
  | 'cancel'
  | 'bump'
  | 'keep'
  | 'trigger'
  | 'edit-jobset'
  | 'edit-project'
  | 'delete-project';

const GLOBAL_ROLE_FOR: Partial<Record<Action, string>> = {
  restart: 'restart-jobs',
  cancel: 'cancel-build',
  bump: 'bump-to-front',
  trigger: 'eval-jobset',
};

export function may(db: Db, viewer: Viewer | null, action: Action, project: string): boolean {
  if (!viewer) return false;
  if (viewer.roles.includes('admin')) return true;
  const role = GLOBAL_ROLE_FOR[action];
  if (role && viewer.roles.includes(role)) return true;
  const p = getProject(db, project);
  if (!p) return false;
  if (p.owner === viewer.username) return true;
  if (action === 'edit-project' || action === 'delete-project') return false;
  return isProjectMember(db, project, viewer.username);
}

export function mayCreateProject(viewer: Viewer | null): boolean {
  return !!viewer && (viewer.roles.includes('admin') || viewer.roles.includes('create-projects'));
}

/** Private projects are readable by their owner, members and admins only (one rule: core/db/visibility.ts). */
export function mayRead(db: Db, viewer: Viewer | null, project: { name: string; private: number }): boolean {
  return project.private === 0 || !hiddenProjects(db, viewer).names.has(project.name);
}
