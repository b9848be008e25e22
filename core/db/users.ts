import { stmt, writeTransaction, type Db } from './database.ts';

export interface UserRow {
  username: string;
  fullname: string | null;
  emailaddress: string | null;
  password: string;
}

export interface UserWithRoles extends UserRow {
  roles: string[];
}

/** Creates the user or replaces its password and roles: `hydrant user add` is idempotent. */
export function saveUser(
  db: Db,
  u: { username: string; passwordHash: string; roles: string[]; fullname?: string; email?: string },
): void {
  writeTransaction(db, () => {
    stmt(
      db,
      `INSERT INTO users (username, fullname, emailaddress, password) VALUES (?, ?, ?, ?)
              ON CONFLICT (username) DO UPDATE SET password = excluded.password,
    fullname = coalesce(excluded.fullname, users.fullname),
    emailaddress = coalesce(excluded.emailaddress, users.emailaddress)`,
    ).run(u.username, u.fullname ?? null, u.email ?? null, u.passwordHash);
    stmt(db, 'DELETE FROM user_roles WHERE username = ?').run(u.username);
    for (const role of u.roles) stmt(db, 'INSERT INTO user_roles (username, role) VALUES (?, ?)').run(u.username, role);
  });
}

export function getUser(db: Db, username: string): UserWithRoles | undefined {
  const user = stmt<UserRow>(db, 'SELECT username, fullname, emailaddress, password FROM users WHERE username = ?').get(
    username,
  );
  if (!user) return undefined;
  const roles = stmt<{ role: string }>(db, 'SELECT role FROM user_roles WHERE username = ? ORDER BY role')
    .all(username)
    .map((r) => r.role);
  return { ...user, roles };
}

export function addProjectMember(db: Db, project: string, username: string): void {
  stmt(db, 'INSERT OR IGNORE INTO project_members (project, username) VALUES (?, ?)').run(project, username);
}

export function isProjectMember(db: Db, project: string, username: string): boolean {
  return (
    stmt(db, 'SELECT 1 FROM project_members WHERE project = ? AND username = ?').get(project, username) !== undefined
  );
}
