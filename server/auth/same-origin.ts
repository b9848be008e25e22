import type { NextFunction, Request, Response } from 'express';
import { Forbidden } from '../negotiate.ts';
import { viewerOf } from './session.ts';

/**
 * Refuses state-changing requests from other sites (CSRF). Browsers send Origin on every
 * cross-origin POST/PUT/DELETE, so a foreign Origin, or a foreign Referer when Origin is
 * absent, is refused. A matching CSRF token (form field _csrf or header X-CSRF-Token) is
 * accepted on its own. Command-line clients (curl, hydra-cli) send neither header and
 * authenticate with a session cookie they obtained themselves, which no other site can use.
 * "Our" origin is the configured base URL's, never the request's Host header: a page on
 * another name that resolves to this server (DNS rebinding) sends its own name as Host.
 */
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

function originOf(value: string): string | null {
  try {
    return new URL(value).origin;
  } catch {
    return null;
  }
}

const LOOPBACK = ['127.0.0.1', 'localhost', '[::1]'];

/** The origins that are this site: the base URL's, and for a loopback base URL the other loopback names of it. */
export function siteOrigins(baseUrl: string): string[] {
  const base = new URL(baseUrl);
  if (!LOOPBACK.includes(base.hostname)) return [base.origin];
  return LOOPBACK.map((host) => `${base.protocol}//${host}${base.port ? `:${base.port}` : ''}`);
}

/**
 * A site whose base URL is on loopback is reachable from this machine only, so any other
 * name in the Host header is a page elsewhere whose DNS name was pointed at 127.0.0.1
 * (DNS rebinding): it would read this site as a same-origin page. Refused, reads included.
 */
export const loopbackNamesOnly =
  (baseUrl: () => string) =>
  (req: Request, _res: Response, next: NextFunction): void => {
    if (!LOOPBACK.includes(new URL(baseUrl()).hostname)) return next();
    const host = (req.get('host') ?? '').replace(/:\d+$/, '').toLowerCase();
    if (LOOPBACK.includes(host)) return next();
    next(
      new Forbidden(`this site answers to ${new URL(baseUrl()).host} (set --base-url to serve it under another name)`),
    );
  };

export const sameOriginOnly =
  (baseUrl: () => string) =>
  (req: Request, res: Response, next: NextFunction): void => {
    if (SAFE.has(req.method)) return next();
    const token = (req.body as Record<string, unknown> | undefined)?.['_csrf'] ?? req.get('x-csrf-token');
    const viewer = viewerOf(res);
    if (viewer && typeof token === 'string' && token === viewer.csrf) return next();
    const ours = siteOrigins(baseUrl());
    const origin = req.get('origin');
    const referer = req.get('referer');
    if (origin !== undefined) {
      if (ours.includes(originOf(origin) ?? '')) return next();
      return next(new Forbidden(`cross-origin request refused (Origin ${origin})`));
    }
    if (referer !== undefined && !ours.includes(originOf(referer) ?? ''))
      return next(new Forbidden('cross-origin request refused (Referer)'));
    next();
  };
