import type { Request } from 'express';

/**
 * The path segments after a redirecting URL (a `*rest` route parameter), to append to its
 * target as Hydra does: …/latest/download/1 → /build/N/download/1.
 */
export function restOf(req: Request): string {
  const rest = (req.params as Record<string, unknown>)['rest'];
  const segments = Array.isArray(rest) ? rest.map(String) : [];
  return segments.length ? '/' + segments.map(encodeURIComponent).join('/') : '';
}
