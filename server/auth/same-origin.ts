import type { NextFunction, Request, Response } from 'express';
import { Forbidden } from '../negotiate.ts';
import { viewerOf } from './session.ts';

/**
 * Refuses state-changing requests from other sites (CSRF). Browsers send Origin on every
 * cross-origin POST/PUT/DELETE, so a foreign Origin, or a foreign Referer when Origin is
 * absent, is refused. A matching CSRF token (form field _csrf or header X-CSRF-Token) is
 * accepted on its own. Command-line clients (curl, hydra-cli) send neither header and
 * authenticate with a session cookie they obtained themselves, which no other site can use.
 */
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

function originOf(value: string): string | null {
  try {
    return new URL(value).origin;
  } catch {
    return null;
  }
}

export function sameOriginOnly(req: Request, res: Response, next: NextFunction): void {
  if (SAFE.has(req.method)) return next();
  const token = (req.body as Record<string, unknown> | undefined)?.['_csrf'] ?? req.get('x-csrf-token');
  const viewer = viewerOf(res);
  if (viewer && typeof token === 'string' && token === viewer.csrf) return next();
  const ours = `${req.protocol}://${req.get('host')}`;
  const origin = req.get('origin');
  const referer = req.get('referer');
  if (origin !== undefined) {
    if (originOf(origin) === ours) return next();
    return next(new Forbidden(`cross-origin request refused (Origin ${origin})`));
  }
  if (referer !== undefined && originOf(referer) !== ours) return next(new Forbidden('cross-origin request refused (Referer)'));
  next();
}
