import type { Request, Router } from 'express';
import { now } from '../../core/db/database.ts';
import { deleteExpiredSessions } from '../../core/db/sessions.ts';
import { getUser } from '../../core/db/users.ts';
import { hashPassword, verifyPassword } from '../../core/password.ts';
import { endSession, startSession } from '../auth/session.ts';
import { userJson } from '../json-shapes.ts';
import { BadRequest, HttpError, wantsJson } from '../negotiate.ts';
import type { RouteContext } from '../route-context.ts';

const field = (req: Request, name: string): string => {
  const v = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : '';
};

/**
 * Hydra's login: POST /login with {username, password} (JSON or a form) answers the user
 * as JSON (or redirects a form) and sets the session cookie; POST /logout ends it.
 * Attempts are counted per user name and per client address before the password is
 * checked; past the limit, 429.
 */
export function loginRoutes(router: Router, { db, render, config, loginLimiter }: RouteContext): void {
  // Verified against when the user does not exist, so timing does not tell which names exist.
  const dummyHash = hashPassword('not a password');
  const json = (req: Request) => wantsJson(req) || Boolean(req.is('application/json'));

  router.get('/login', (req, res) => {
    res
      .vary('Accept')
      .type('html')
      .send(render('login', { title: 'Log in', error: null, username: '' }));
  });

  router.post('/login', async (req, res) => {
    const username = field(req, 'username');
    const password = field(req, 'password');
    if (!username || !password) throw new BadRequest('give a username and a password');
    const address = req.ip ?? req.socket.remoteAddress ?? '';
    if (!loginLimiter.begin(username, address)) throw new HttpError(429, 'too many failed logins; wait a few minutes');
    const user = getUser(db, username);
    const ok = await verifyPassword(password, user?.password ?? (await dummyHash));
    if (!user || !ok) {
      if (json(req)) throw new HttpError(403, 'Bad username or password.');
      res
        .status(403)
        .type('html')
        .send(render('login', { title: 'Log in', error: 'Bad username or password.', username }));
      return;
    }
    loginLimiter.succeeded(username, address);
    // Expired sessions are swept here: logins are rare, so this costs nothing noticeable.
    deleteExpiredSessions(db, now());
    startSession(db, res, user.username, config.baseUrl.startsWith('https:'));
    if (json(req)) res.json(userJson(user));
    else res.redirect(303, '/');
  });

  router.post('/logout', (req, res) => {
    endSession(db, req, res);
    if (json(req)) res.json({});
    else res.redirect(303, '/');
  });
}
