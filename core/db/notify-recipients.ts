import { now, stmt, writeTransaction, type Db } from './database.ts';

/** Who may get mail about a jobset, as the notifier needs it. */
export interface JobsetMailInfo {
  project: string;
  jobset: string;
  enableemail: number;
  emailoverride: string;
  owner_email: string | null;
  private: number;
}

export function jobsetMailInfo(db: Db, jobsetId: number): JobsetMailInfo | undefined {
  return stmt<JobsetMailInfo>(
    db,
    `SELECT j.project, j.name AS jobset, j.enableemail, j.emailoverride, p.private,
                          (SELECT u.emailaddress FROM users u WHERE u.username = p.owner) AS owner_email
                   FROM jobsets j JOIN projects p ON p.name = j.project WHERE j.id = ?`,
  ).get(jobsetId);
}

/**
 * Addresses of users subscribed to the project or to this jobset. For a private project
 * only users who may still read it (owner, members, admins): a subscription never outlives
 * access.
 */
export function subscriberAddresses(db: Db, project: string, jobset: string): string[] {
  return stmt<{ emailaddress: string }>(
    db,
    `SELECT DISTINCT u.emailaddress FROM subscriptions s JOIN users u ON u.username = s.username
                    JOIN projects p ON p.name = s.project
                    WHERE s.project = ? AND s.jobset IN ('', ?) AND u.emailaddress IS NOT NULL AND u.emailaddress != ''
                      AND (p.private = 0 OR p.owner = u.username
                           OR EXISTS (SELECT 1 FROM project_members m WHERE m.project = p.name
                             AND m.username = u.username)
                           OR EXISTS (SELECT 1 FROM user_roles r WHERE r.username = u.username AND r.role = 'admin'))`,
  )
    .all(project, jobset)
    .map((r) => r.emailaddress);
}

/** True when the address asked for no mail from this project, or none at all. */
export function optedOut(db: Db, address: string, project: string): boolean {
  return (
    stmt(db, `SELECT 1 FROM email_optouts WHERE address = ? AND project IN ('', ?)`).get(address, project) !== undefined
  );
}

/**
 * Unsubscribes an address from a project ('' for all of hydrant): it gets no more mail
 * from it, whatever made it a recipient, and the subscriptions of users with that address end.
 */
export function unsubscribeAddress(db: Db, address: string, project: string): void {
  writeTransaction(db, () => {
    stmt(db, 'INSERT OR IGNORE INTO email_optouts (address, project, created) VALUES (?, ?, ?)').run(
      address,
      project,
      now(),
    );
    stmt(
      db,
      `DELETE FROM subscriptions WHERE username IN (SELECT username FROM users WHERE emailaddress = ? COLLATE NOCASE)
                AND (? = '' OR project = ?)`,
    ).run(address, project, project);
  });
}

export function resubscribeAddress(db: Db, address: string, project: string): void {
  stmt(db, 'DELETE FROM email_optouts WHERE address = ? AND project = ?').run(address, project);
}

export function isSubscribed(db: Db, username: string, project: string, jobset: string): boolean {
  return (
    stmt(db, 'SELECT 1 FROM subscriptions WHERE username = ? AND project = ? AND jobset = ?').get(
      username,
      project,
      jobset,
    ) !== undefined
  );
}

export function setSubscribed(db: Db, username: string, project: string, jobset: string, on: boolean): void {
  if (on)
    stmt(db, 'INSERT OR IGNORE INTO subscriptions (username, project, jobset, created) VALUES (?, ?, ?, ?)').run(
      username,
      project,
      jobset,
      now(),
    );
  else
    stmt(db, 'DELETE FROM subscriptions WHERE username = ? AND project = ? AND jobset = ?').run(
      username,
      project,
      jobset,
    );
}

export function userSubscriptions(db: Db, username: string): { project: string; jobset: string }[] {
  return stmt<{ project: string; jobset: string }>(
    db,
    'SELECT project, jobset FROM subscriptions WHERE username = ? ORDER BY project, jobset',
  ).all(username);
}

export function userEmail(db: Db, username: string): string | null {
  const row = stmt<{ emailaddress: string | null }>(db, 'SELECT emailaddress FROM users WHERE username = ?').get(
    username,
  );
  return row?.emailaddress || null;
}

/** Revisions of the inputs marked emailresponsible, in an evaluation and in the one before it. */
export function responsibleInputRevisions(
  db: Db,
  jobsetId: number,
  evalId: number,
): { name: string; uri: string; from: string | null; to: string }[] {
  return stmt<{ name: string; uri: string; from: string | null; to: string }>(
    db,
    `SELECT i.name, cur.uri, cur.revision AS "to",
                          (SELECT prev.revision FROM jobset_eval_inputs prev
                           WHERE prev.name = i.name AND prev.eval_id =
                             (SELECT max(e.id) FROM jobset_evals e WHERE e.jobset_id = ? AND e.id < ?)) AS "from"
                   FROM jobset_inputs i JOIN jobset_eval_inputs cur ON cur.eval_id = ? AND cur.name = i.name
                   WHERE i.jobset_id = ? AND i.emailresponsible = 1 AND i.type = 'git' AND cur.uri IS NOT NULL
                     AND cur.revision IS NOT NULL
                   ORDER BY i.name`,
  ).all(jobsetId, evalId, evalId, jobsetId);
}
