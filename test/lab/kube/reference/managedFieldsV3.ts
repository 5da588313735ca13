/**
 * The managedFields update of session 3 (two full leaf walks, JSON per leaf, every owner's fieldsV1 rebuilt),
 * kept verbatim as the oracle the faster lab/kube/managedFields.ts recordUpdate is compared with.
 */
import { isKeyedList, itemSegment, noListKeys, type ListKeys } from '../../../../lab/kube/listMaps.js';
import type { KubeObject, ManagedFieldsEntry } from '../../../../lab/kube/types.js';

type FieldPath = string;
const SEP = '\u0000';

const SYSTEM_META = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink']);

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Leaf paths of an object with their values, skipping apiVersion/kind and system metadata. */
export function leafValues(obj: Record<string, unknown>, listKeys: ListKeys = noListKeys): Map<FieldPath, unknown> {
  const out = new Map<FieldPath, unknown>();
  const walk = (v: unknown, prefix: string[], schemaPath: string[]) => {
    if (isObj(v) && Object.keys(v).length > 0) {
      for (const [k, child] of Object.entries(v)) {
        if (prefix.length === 0 && (k === 'apiVersion' || k === 'kind')) continue;
        if (prefix.length === 1 && prefix[0] === 'metadata' && SYSTEM_META.has(k)) continue;
        walk(child, [...prefix, k], [...schemaPath, k]);
      }
      return;
    }
    const keys = Array.isArray(v) ? listKeys(schemaPath) : undefined;
    if (Array.isArray(v) && isKeyedList(v, keys)) {
      for (const item of v) walk(item, [...prefix, itemSegment(item, keys)!], [...schemaPath, '*']);
    } else if (prefix.length > 0) out.set(prefix.join(SEP), v);
  };
  walk(obj, [], []);
  return out;
}

/** Two paths overlap when one is the other or an ancestor of it. */
export function overlaps(a: FieldPath, b: FieldPath): boolean {
  return a === b || a.startsWith(b + SEP) || b.startsWith(a + SEP);
}

export function toFieldsV1(paths: Iterable<FieldPath>): Record<string, unknown> {
  const root: Record<string, Record<string, unknown>> = {};
  for (const p of paths) {
    let cur: Record<string, unknown> = root;
    for (const seg of p.split(SEP)) cur = (cur[seg.startsWith('k:') ? seg : `f:${seg}`] ??= {}) as Record<string, unknown>;
  }
  return root;
}

export function fromFieldsV1(fields: Record<string, unknown> | undefined): Set<FieldPath> {
  const out = new Set<FieldPath>();
  const walk = (node: Record<string, unknown>, prefix: string[]) => {
    const keys = Object.keys(node).filter((k) => k.startsWith('f:') || k.startsWith('k:'));
    if (keys.length === 0 && prefix.length > 0) out.add(prefix.join(SEP));
    for (const k of keys) walk((node[k] ?? {}) as Record<string, unknown>, [...prefix, k.startsWith('k:') ? k : k.slice(2)]);
  };
  if (fields) walk(fields, []);
  return out;
}

export interface Ownership {
  manager: string;
  operation: 'Apply' | 'Update';
  subresource?: string;
  paths: Set<FieldPath>;
}

export function readOwnership(obj: KubeObject | undefined): Ownership[] {
  return (obj?.metadata.managedFields ?? []).map((e) => ({ manager: e.manager, operation: e.operation, subresource: e.subresource, paths: fromFieldsV1(e.fieldsV1) }));
}

export function writeOwnership(owners: Ownership[], apiVersion: string, now: string): ManagedFieldsEntry[] {
  return owners
    .filter((o) => o.paths.size > 0)
    .map((o) => {
      const e: ManagedFieldsEntry = { manager: o.manager, operation: o.operation, apiVersion, time: now, fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(o.paths) };
      if (o.subresource) e.subresource = o.subresource;
      return e;
    });
}

/** After a non-apply write, `manager` owns the leaves it changed; others lose them; removed leaves are owned by nobody. */
export function referenceRecordUpdate(prev: KubeObject | undefined, next: KubeObject, manager: string, subresource: string | undefined, now: string, listKeys: ListKeys = noListKeys): void {
  const owners = readOwnership(prev);
  const before = prev ? leafValues(prev, listKeys) : new Map<FieldPath, unknown>();
  const after = leafValues(next, listKeys);
  const changed = new Set<FieldPath>();
  for (const [p, v] of after) if (!before.has(p) || JSON.stringify(before.get(p)) !== JSON.stringify(v)) changed.add(p);
  const removed = [...before.keys()].filter((p) => !after.has(p));
  if (changed.size === 0 && removed.length === 0) {
    next.metadata.managedFields = prev?.metadata.managedFields;
    if (!next.metadata.managedFields) delete next.metadata.managedFields;
    return;
  }
  for (const o of owners) {
    for (const p of [...o.paths]) if ([...changed].some((c) => overlaps(c, p)) || removed.some((r) => overlaps(r, p))) o.paths.delete(p);
  }
  let mine = owners.find((o) => o.manager === manager && o.operation === 'Update' && o.subresource === subresource);
  if (!mine) {
    mine = { manager, operation: 'Update', subresource, paths: new Set() };
    owners.push(mine);
  }
  for (const p of changed) mine.paths.add(p);
  const entries = writeOwnership(owners, next.apiVersion, now);
  if (entries.length) next.metadata.managedFields = entries;
  else delete next.metadata.managedFields;
}

