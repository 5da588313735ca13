/**
 * Associative lists for server-side apply: where a CRD schema says `x-kubernetes-list-type: map`,
 * list items are fields of their own, addressed like the real FieldsV1 (`k:{"type":"Ready"}`).
 */
import type { Schema } from '../../common/schemaValidate.js';

/** The merge keys of the list at a schema path (item levels written as '*'), if it is a list-map. */
export type ListKeys = (schemaPath: string[]) => string[] | undefined;

export const noListKeys: ListKeys = () => undefined;

export function listKeysFromSchema(schema: Schema | undefined): ListKeys {
  if (!schema) return noListKeys;
  return (schemaPath) => {
    let s: Schema | undefined = schema;
    for (const seg of schemaPath) {
      if (!s) return undefined;
      s = seg === '*' ? s.items : s.properties?.[seg] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
    }
    if (s?.['x-kubernetes-list-type'] !== 'map') return undefined;
    return s['x-kubernetes-list-map-keys'] as string[] | undefined;
  };
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `k:{"type":"Ready"}` for an item, or undefined when it lacks a key. */
export function itemSegment(item: unknown, keys: string[]): string | undefined {
  if (!isObj(item) || keys.some((k) => item[k] === undefined)) return undefined;
  return 'k:' + JSON.stringify(Object.fromEntries(keys.map((k) => [k, item[k]])));
}

export function findItem(list: unknown[], segment: string): number {
  const want = JSON.parse(segment.slice(2)) as Record<string, unknown>;
  return list.findIndex((i) => isObj(i) && Object.entries(want).every(([k, v]) => JSON.stringify(i[k]) === JSON.stringify(v)));
}

/** True when every item of `list` can be addressed by `keys`. */
export function isKeyedList(list: unknown[], keys: string[] | undefined): keys is string[] {
  return !!keys && list.length > 0 && list.every((i) => itemSegment(i, keys) !== undefined);
}

/** Deep merge where the applied config wins; list-maps merge by key, other lists are replaced whole. */
export function overlay(base: unknown, applied: unknown, listKeys: ListKeys, schemaPath: string[] = []): unknown {
  if (Array.isArray(applied) && Array.isArray(base)) {
    const keys = listKeys(schemaPath);
    if (!isKeyedList(applied, keys) || !isKeyedList(base, keys)) return structuredClone(applied);
    const out = [...base];
    for (const item of applied) {
      const idx = findItem(out, itemSegment(item, keys)!);
      if (idx >= 0) out[idx] = overlay(out[idx], item, listKeys, [...schemaPath, '*']);
      else out.push(structuredClone(item));
    }
    return out;
  }
  if (!isObj(applied) || !isObj(base)) return structuredClone(applied);
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(applied)) out[k] = overlay(base[k], v, listKeys, [...schemaPath, k]);
  return out;
}
