/**
 * Unknown fields in built-in objects, found against their published schema (client-node's models): what a real
 * API server's strict decoding reports as `unknown field "spec.foo"` under `fieldValidation=Strict`.
 */
import { componentSchemas, schemaName, type SchemaMap } from './openapiSchemas.js';
import type { JsonObject, ResourceDef } from './types.js';

const cache = new Map<string, SchemaMap | null>();

function schemasFor(def: ResourceDef): SchemaMap | undefined {
  const key = `${def.group}/${def.version}/${def.kind}`;
  if (!cache.has(key)) {
    const schemas = componentSchemas([def]);
    cache.set(key, schemas[schemaName(def)] ? schemas : null);
  }
  return cache.get(key) ?? undefined;
}

function resolve(schemas: SchemaMap, s: JsonObject): JsonObject {
  let cur = s;
  for (let i = 0; i < 8; i++) {
    const ref = (cur.$ref as string | undefined) ?? ((cur.allOf as JsonObject[] | undefined)?.[0]?.$ref as string | undefined);
    if (!ref) return cur;
    cur = schemas[ref.slice(ref.lastIndexOf('/') + 1)] ?? {};
  }
  return cur;
}

function walk(schemas: SchemaMap, schema: JsonObject, value: unknown, at: string, out: string[]): void {
  const s = resolve(schemas, schema);
  if (s['x-kubernetes-preserve-unknown-fields'] || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    if (s.items) value.forEach((v, i) => walk(schemas, s.items as JsonObject, v, `${at}[${i}]`, out));
    return;
  }
  const props = s.properties as Record<string, JsonObject> | undefined;
  for (const [k, v] of Object.entries(value)) {
    const path = at ? `${at}.${k}` : k;
    if (props?.[k]) walk(schemas, props[k]!, v, path, out);
    else if (s.additionalProperties && typeof s.additionalProperties === 'object') walk(schemas, s.additionalProperties as JsonObject, v, path, out);
    else if (props) out.push(path);
  }
}

/** Paths of fields `obj` has that its kind does not; empty when the kind has no known schema. */
export function unknownBuiltinFields(def: ResourceDef, obj: object): string[] {
  const schemas = schemasFor(def);
  if (!schemas) return [];
  const out: string[] = [];
  walk(schemas, schemas[schemaName(def)]!, obj, '', out);
  return out;
}
