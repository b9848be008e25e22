import type { Db } from '../../core/db/database.ts';
import { isSubscribed } from '../../core/db/notify-recipients.ts';
import type { Viewer } from '../auth/session.ts';
import { links } from './links.ts';

/** The subscribe button of a project or jobset page; none for visitors who are not logged in. */
export function subscriptionView(
  db: Db,
  viewer: Viewer | null,
  project: string,
  jobset = '',
): { action: string; on: boolean; what: string } | null {
  if (!viewer) return null;
  return {
    action: `${jobset ? links.jobset(project, jobset) : links.project(project)}/subscribe`,
    on: isSubscribed(db, viewer.username, project, jobset),
    what: jobset ? 'jobset' : 'project',
  };
}
