import type { Schema } from './hydra-api-document.ts';

/**
 * The problems of `value` against `schema` (the subset of OpenAPI schemas Hydra's document
 * uses). Stricter than OpenAPI in one way on purpose: a key the schema does not list is a
 * problem, because a key Hydra never sends is a difference a client may trip over.
 */
export function schemaProblems(schema: Schema, value: unknown, at = '$'): string[] {
  if (value === null) return schema.nullable ? [] : [`${at}: null, but not nullable`];
  if (schema.anyOf)
    return schema.anyOf.some((s) => schemaProblems(s, value, at).length === 0) ? [] : [`${at}: matches none of anyOf`];
  switch (schema.type) {
    case undefined:
      return [];
    case 'integer':
      return Number.isInteger(value) ? [] : [`${at}: ${JSON.stringify(value)} is not an integer`];
    case 'number':
      return typeof value === 'number' ? [] : [`${at}: ${JSON.stringify(value)} is not a number`];
    case 'string':
      return typeof value === 'string' ? [] : [`${at}: ${JSON.stringify(value)} is not a string`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${at}: ${JSON.stringify(value)} is not a boolean`];
    case 'array':
      if (!Array.isArray(value)) return [`${at}: not an array`];
      return value.flatMap((v, n) => (schema.items ? schemaProblems(schema.items, v, `${at}[${n}]`) : []));
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return [`${at}: not an object`];
      return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => {
        const sub = schema.properties?.[k] ?? schema.additionalProperties;
        if (!sub) return schema.properties ? [`${at}.${k}: a key the document does not list`] : [];
        return schemaProblems(sub, v, `${at}.${k}`);
      });
    }
  }
}
