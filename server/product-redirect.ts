import type { Request } from 'express';
import { basename } from 'node:path';

/**
 * A product that is a small web site (genhtml's report) needs its directory's URL to end in
 * a slash, or its relative links resolve one level too high: such URLs are redirected,
 * to the product's default path when it has one (Hydra's DEFAULTPATH), as a web server
 * redirects a directory. `file` is what productFile resolved the URL to.
 */
export function directoryRedirect(
  req: Request,
  segments: string[],
  file: string,
  defaultPath: string | null,
): string | null {
  const url = new URL(req.originalUrl, 'http://x');
  if (url.pathname.endsWith('/')) return null;
  const e = (p: string) => p.split('/').filter(Boolean).map(encodeURIComponent).join('/');
  if (segments.length === 0 && defaultPath) return `${url.pathname}/${e(defaultPath)}${url.search}`;
  const namesIndex = segments.at(-1) === 'index.html';
  if (basename(file) === 'index.html' && !namesIndex) return `${url.pathname}/${url.search}`;
  return null;
}
