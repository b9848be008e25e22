import { BadRequest } from './negotiate.ts';

/** Reading an API body (JSON from Hydra clients or a form) strictly: wrong types are a 400 that names the field. */
export type Body = Record<string, unknown>;

/** A PUT's JSON body: an object, else 400 (an array, a string or `null` is not a project or a jobset). */
export function jsonObject(body: unknown): Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new BadRequest('the body must be a JSON object');
  return body as Body;
}

export const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export function str(body: Body, key: string, fallback: string): string {
  const v = body[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'string' && typeof v !== 'number') throw new BadRequest(`${key} must be a string`);
  return String(v);
}

export function bool(body: Body, key: string, fallback: boolean): boolean {
  const v = body[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'boolean') return v;
  if (v === 1 || v === '1' || v === 'true' || v === 'on') return true;
  if (v === 0 || v === '0' || v === 'false' || v === 'off' || v === '') return false;
  throw new BadRequest(`${key} must be true or false`);
}

export function int(body: Body, key: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const v = body[key];
  if (v === undefined || v === null || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new BadRequest(`${key} must be a whole number from ${min} to ${max}`);
  return n;
}
