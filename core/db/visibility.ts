/** Who asks, as far as visibility goes: an anonymous client is null. */
export interface ReadingViewer {
  username: string;
  roles: readonly string[];
}

/**
 * The one rule for which projects a viewer may read, in SQL, for queries that filter many
 * rows at once: public projects for everyone; private ones for admins, their owner and
 * members (server/auth/permissions.ts mayRead says the same for one project). `p` must
 * name the projects table in the query; bind viewerParams(viewer) with it.
 */
export const VISIBLE_PROJECT = `(p.private = 0 OR @viewer_admin = 1 OR p.owner = @viewer
  OR EXISTS (SELECT 1 FROM project_members m WHERE m.project = p.name AND m.username = @viewer))`;

export function viewerParams(viewer: ReadingViewer | null): { viewer: string | null; viewer_admin: number } {
  return { viewer: viewer?.username ?? null, viewer_admin: viewer?.roles.includes('admin') ? 1 : 0 };
}
