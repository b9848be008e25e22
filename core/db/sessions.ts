import { stmt, type Db } from './database.ts';

export interface SessionRow {
  id: string;
  username: string;
  created: number;
  expires: number;
  csrf: string;
}

/** `idHash` is a hash of the cookie value: a stolen database copy holds no usable session. */
export function createSession(db: Db, s: SessionRow): void {
  stmt(db, 'INSERT INTO sessions (id, username, created, expires, csrf) VALUES (?, ?, ?, ?, ?)').run(
    s.id,
    s.username,
    s.created,
    s.expires,
    s.csrf,
  );
}

export function getLiveSession(db: Db, idHash: string, at: number): SessionRow | undefined {
  return stmt<SessionRow>(db, 'SELECT * FROM sessions WHERE id = ? AND expires > ?').get(idHash, at);
}

export function deleteSession(db: Db, idHash: string): void {
  stmt(db, 'DELETE FROM sessions WHERE id = ?').run(idHash);
}

export function deleteExpiredSessions(db: Db, at: number): number {
  return stmt(db, 'DELETE FROM sessions WHERE expires <= ?').run(at).changes;
}
