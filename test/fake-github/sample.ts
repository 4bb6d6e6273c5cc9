// Builds response objects that satisfy the OpenAPI schemas: a minimal sample of every required field
// (derived from the schema itself, so new required fields in a future description are filled in), with
// the fake's real values laid over it.
import { componentSchema, resolveSchemaRef } from './openapi.ts';

type Json = Record<string, unknown>;

const sampleCache = new Map<string, unknown>();

function sampleString(schema: Json, baseUrl: string): string {
  if (Array.isArray(schema.enum)) return schema.enum.find((v) => v !== null) as string;
  switch (schema.format) {
    case 'date-time':
      return '2024-01-01T00:00:00Z';
    case 'uri':
    case 'url':
      return `${baseUrl}/sample`;
    case 'email':
      return 'sample@example.com';
    default:
      return '';
  }
}

function sample(schema: Json, baseUrl: string, depth: number): unknown {
  if (typeof schema.$ref === 'string') return sample(resolveSchemaRef(schema.$ref), baseUrl, depth);
  if (schema.nullable === true && depth > 0) return null;
  if (Array.isArray(schema.allOf)) {
    return Object.assign({}, ...schema.allOf.map((s) => sample(s as Json, baseUrl, depth)));
  }
  const alternatives = (schema.oneOf ?? schema.anyOf) as Json[] | undefined;
  if (alternatives) {
    const nullable = alternatives.find((s) => s.type === 'null');
    if (nullable && depth > 0) return null;
    return sample(alternatives.find((s) => s.type !== 'null') as Json, baseUrl, depth);
  }
  if (schema.default !== undefined) return structuredClone(schema.default);
  switch (schema.type) {
    case 'object': {
      const out: Json = {};
      const props = (schema.properties ?? {}) as Record<string, Json>;
      for (const key of (schema.required as string[] | undefined) ?? []) {
        out[key] = props[key] ? sample(props[key], baseUrl, depth + 1) : null;
      }
      return out;
    }
    case 'array':
      return [];
    case 'string':
      return sampleString(schema, baseUrl);
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 1;
    case 'boolean':
      return false;
    default:
      return null;
  }
}

const isPlainObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function overlay(base: unknown, top: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(top)) return top;
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(top)) {
    if (v === undefined) continue;
    out[k] = overlay(base[k], v);
  }
  return out;
}

/** An object of components.schemas[name] with `values` laid over a minimal valid sample. */
export function build<T extends Json = Json>(name: string, baseUrl: string, values: Json): T {
  const key = `${name}@${baseUrl}`;
  if (!sampleCache.has(key)) sampleCache.set(key, sample(componentSchema(name), baseUrl, 0));
  return overlay(structuredClone(sampleCache.get(key)), values) as T;
}
