import { createHash, randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { now, type Db } from '../../core/db/database.ts';
import { createSession, deleteSession, getLiveSession } from '../../core/db/sessions.ts';
import { getUser } from '../../core/db/users.ts';

export const SESSION_COOKIE = 'hydrant_session';
const SESSION_SECONDS = 7 * 24 * 3600;

/** Who is asking, as every route and template sees it. */
export interface Viewer {
  username: string;
  fullname: string | null;
  emailaddress: string | null;
  roles: string[];
  csrf: string;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

function cookieValue(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function viewerOf(res: Response): Viewer | null {
  return (res.locals.viewer as Viewer | null | undefined) ?? null;
}

/** Middleware: res.locals.viewer is the logged-in user of the session cookie, or null. */
export function loadViewer(db: Db) {
  return (req: Request, res: Response, next: NextFunction): void => {
    res.locals.viewer = null;
    const token = cookieValue(req, SESSION_COOKIE);
    if (token && /^[A-Za-z0-9_-]{20,100}$/.test(token)) {
      const session = getLiveSession(db, hashToken(token), now());
      const user = session && getUser(db, session.username);
      if (session && user) {
        res.locals.viewer = {
          username: user.username,
          fullname: user.fullname,
          emailaddress: user.emailaddress,
          roles: user.roles,
          csrf: session.csrf,
        } satisfies Viewer;
      }
    }
    next();
  };
}

export function startSession(db: Db, res: Response, username: string, secure: boolean): void {
  const token = randomBytes(32).toString('base64url');
  const at = now();
  createSession(db, {
    id: hashToken(token),
    username,
    created: at,
    expires: at + SESSION_SECONDS,
    csrf: randomBytes(16).toString('base64url'),
  });
  res.cookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: '/',
    maxAge: SESSION_SECONDS * 1000,
  });
}

export function endSession(db: Db, req: Request, res: Response): void {
  const token = cookieValue(req, SESSION_COOKIE);
  if (token) deleteSession(db, hashToken(token));
  res.clearCookie(SESSION_COOKIE, { path: '/' });
}
