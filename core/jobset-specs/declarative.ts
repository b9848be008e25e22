import type { ProjectSpec } from './types.ts';
import { SpecError, str, type Json } from './fields.ts';

/** Hydra's declarative project keys: all three or none. */
export function parseDeclarative(raw: Json, where: string): ProjectSpec['declarative'] {
  const keys = ['declfile', 'decltype', 'declvalue'];
  const given = keys.filter((k) => raw[k] !== undefined && raw[k] !== null && raw[k] !== '');
  if (given.length === 0) return null;
  if (given.length < keys.length) {
    throw new SpecError(
      `${where}: a declarative project needs all of "declfile", "decltype" and "declvalue"; missing ${keys
        .filter((k) => !given.includes(k))
        .map((k) => `"${k}"`)
        .join(', ')}`,
    );
  }
  const file = str(raw, 'declfile', where, '');
  const type = str(raw, 'decltype', where, '');
  const value = str(raw, 'declvalue', where, '');
  if (type !== 'git' && type !== 'path')
    throw new SpecError(`${where}: "decltype" must be git or path, got ${JSON.stringify(type)}`);
  if (file.startsWith('/') || file.split('/').includes('..')) {
    throw new SpecError(`${where}: "declfile" must be a relative path inside the input, got ${JSON.stringify(file)}`);
  }
  return { file, type, value };
}
