/**
 * Coarse field ownership for server-side apply: each manager owns a set of leaf paths (lists are
 * atomic leaves), stored in `metadata.managedFields` in the real FieldsV1 shape (`{"f:spec":{"f:online":{}}}`).
 */
import type { KubeObject, ManagedFieldsEntry } from './types.js';

export type FieldPath = string; // segments joined by '\u0000'
const SEP = '\u0000';

const SYSTEM_META = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink']);

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Leaf paths of an object with their values, skipping apiVersion/kind and system metadata. */
export function leafValues(obj: Record<string, unknown>): Map<FieldPath, unknown> {
  const out = new Map<FieldPath, unknown>();
  const walk = (v: unknown, prefix: string[]) => {
    if (isObj(v) && Object.keys(v).length > 0) {
      for (const [k, child] of Object.entries(v)) {
        if (prefix.length === 0 && (k === 'apiVersion' || k === 'kind')) continue;
        if (prefix.length === 1 && prefix[0] === 'metadata' && SYSTEM_META.has(k)) continue;
        walk(child, [...prefix, k]);
      }
    } else if (prefix.length > 0) out.set(prefix.join(SEP), v);
  };
  walk(obj, []);
  return out;
}

export function valueAt(obj: unknown, path: FieldPath): unknown {
  let cur = obj;
  for (const seg of path.split(SEP)) {
    if (!isObj(cur)) return undefined;
    cur = cur[seg];
  }
  return cur;
}

export function removeAt(obj: Record<string, unknown>, path: FieldPath): void {
  const segs = path.split(SEP);
  const stack: Record<string, unknown>[] = [obj];
  let cur: unknown = obj;
  for (const seg of segs.slice(0, -1)) {
    if (!isObj(cur)) return;
    cur = cur[seg];
    if (isObj(cur)) stack.push(cur);
  }
  if (!isObj(cur)) return;
  delete cur[segs[segs.length - 1]];
  // Drop parents the removal left empty, as apply does.
  for (let i = stack.length - 1; i > 0; i--) {
    if (Object.keys(stack[i]).length > 0) break;
    delete stack[i - 1][segs[i - 1]];
  }
}

/** Dotted form for messages: ".spec.online". */
export function displayPath(path: FieldPath): string {
  return '.' + path.split(SEP).join('.');
}

/** Two paths overlap when one is the other or an ancestor of it. */
export function overlaps(a: FieldPath, b: FieldPath): boolean {
  return a === b || a.startsWith(b + SEP) || b.startsWith(a + SEP);
}

export function toFieldsV1(paths: Iterable<FieldPath>): Record<string, unknown> {
  const root: Record<string, Record<string, unknown>> = {};
  for (const p of paths) {
    let cur: Record<string, unknown> = root;
    for (const seg of p.split(SEP)) cur = (cur[`f:${seg}`] ??= {}) as Record<string, unknown>;
  }
  return root;
}

export function fromFieldsV1(fields: Record<string, unknown> | undefined): Set<FieldPath> {
  const out = new Set<FieldPath>();
  const walk = (node: Record<string, unknown>, prefix: string[]) => {
    const keys = Object.keys(node).filter((k) => k.startsWith('f:'));
    if (keys.length === 0 && prefix.length > 0) out.add(prefix.join(SEP));
    for (const k of keys) walk((node[k] ?? {}) as Record<string, unknown>, [...prefix, k.slice(2)]);
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
export function recordUpdate(prev: KubeObject | undefined, next: KubeObject, manager: string, subresource: string | undefined, now: string): void {
  const owners = readOwnership(prev);
  const before = prev ? leafValues(prev) : new Map<FieldPath, unknown>();
  const after = leafValues(next);
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
