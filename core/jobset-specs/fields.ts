/** Reading one field of a spec, with an error that says where and what was wrong. */
export class SpecError extends Error {}

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function rejectUnknown(obj: Json, allowed: string[], where: string): void {
  const unknown = Object.keys(obj).filter((k) => !allowed.includes(k));
  if (unknown.length) {
    throw new SpecError(
      `${where}: unknown key${unknown.length > 1 ? 's' : ''} ` +
        `${unknown.map((k) => `"${k}"`).join(', ')} (allowed: ${allowed.join(' ')})`,
    );
  }
}

export function str(obj: Json, key: string, where: string, fallback: string): string {
  const v = obj[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'string') throw new SpecError(`${where}: "${key}" must be a string, got ${JSON.stringify(v)}`);
  return v;
}

export function bool(obj: Json, key: string, where: string, fallback: boolean): boolean {
  const v = obj[key];
  if (v === undefined || v === null) return fallback;
  if (v === true || v === 1) return true;
  if (v === false || v === 0) return false;
  throw new SpecError(`${where}: "${key}" must be true or false, got ${JSON.stringify(v)}`);
}

export function int(obj: Json, key: string, where: string, fallback: number, min: number): number {
  const v = obj[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new SpecError(`${where}: "${key}" must be a whole number ≥ ${min}, got ${JSON.stringify(v)}`);
  }
  return v;
}
