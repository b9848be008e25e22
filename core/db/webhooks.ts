import { now, stmt, type Db } from './database.ts';

export interface WebhookRow {
  id: number;
  project: string;
  jobset: string;
  url: string;
  secret: string;
  created: number;
}

/** The endpoints that hear about a jobset: the project's own and the jobset's. */
export function webhooksFor(db: Db, project: string, jobset: string): WebhookRow[] {
  return stmt<WebhookRow>(db, `SELECT * FROM webhooks WHERE project = ? AND jobset IN ('', ?) ORDER BY id`).all(
    project,
    jobset,
  );
}

export function projectWebhooks(db: Db, project: string): WebhookRow[] {
  return stmt<WebhookRow>(db, 'SELECT * FROM webhooks WHERE project = ? ORDER BY id').all(project);
}

export function webhookById(db: Db, id: number): WebhookRow | undefined {
  return stmt<WebhookRow>(db, 'SELECT * FROM webhooks WHERE id = ?').get(id);
}

export function addWebhook(db: Db, w: { project: string; jobset: string; url: string; secret: string }): number {
  return Number(
    stmt(db, 'INSERT INTO webhooks (project, jobset, url, secret, created) VALUES (?, ?, ?, ?, ?)').run(
      w.project,
      w.jobset,
      w.url,
      w.secret,
      now(),
    ).lastInsertRowid,
  );
}

export function deleteWebhook(db: Db, project: string, id: number): boolean {
  return stmt(db, 'DELETE FROM webhooks WHERE project = ? AND id = ?').run(project, id).changes > 0;
}
