/**
 * Coarse field ownership for server-side apply: each manager owns a set of leaf paths (lists are
 * atomic leaves unless the schema makes them list-maps), stored in `metadata.managedFields` in the
 * real FieldsV1 shape (`{"f:spec":{"f:online":{}}}`, `{"k:{\"type\":\"Ready\"}":{...}}`).
 */
import { findItem, isKeyedList, itemSegment, noListKeys, type ListKeys } from './listMaps.js';
import type { KubeObject, ManagedFieldsEntry } from './types.js';

export type FieldPath = string; // segments joined by '\u0000'
const SEP = '\u0000';

const SYSTEM_META = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink']);

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Leaf paths of an object with their values, skipping apiVersion/kind and system metadata. */
export function leafValues(obj: Record<string, unknown>, listKeys: ListKeys = noListKeys): Map<FieldPath, unknown> {
  const out = new Map<FieldPath, unknown>();
  collectLeaves(obj, [], [], listKeys, out);
  return out;
}

/** The leaves of `v` found at `prefix` (schema path `schemaPath`), added to `out` in traversal order. */
function collectLeaves(v: unknown, prefix: string[], schemaPath: string[], listKeys: ListKeys, out: Map<FieldPath, unknown>): void {
  if (isObj(v) && Object.keys(v).length > 0) {
    for (const [k, child] of Object.entries(v)) {
      if (skipped(prefix, k)) continue;
      collectLeaves(child, [...prefix, k], [...schemaPath, k], listKeys, out);
    }
    return;
  }
  const keys = Array.isArray(v) ? listKeys(schemaPath) : undefined;
  if (Array.isArray(v) && isKeyedList(v, keys)) {
    for (const item of v) collectLeaves(item, [...prefix, itemSegment(item, keys)!], [...schemaPath, '*'], listKeys, out);
  } else if (prefix.length > 0) out.set(prefix.join(SEP), v);
}

/** apiVersion/kind at the top and the system's own metadata are nobody's fields. */
function skipped(prefix: string[], key: string): boolean {
  if (prefix.length === 0) return key === 'apiVersion' || key === 'kind';
  return prefix.length === 1 && prefix[0] === 'metadata' && SYSTEM_META.has(key);
}

const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
const isInnerObject = (v: unknown): v is Record<string, unknown> => isObj(v) && Object.keys(v).length > 0;

interface LeafDiff {
  /** Leaves of `next` that are new or hold another value, in `next`'s order. */
  changed: FieldPath[];
  /** Leaves of `prev` that `next` no longer has. */
  removed: FieldPath[];
}

/**
 * What `leafValues(prev)` vs `leafValues(next)` would say, walking both at once: a subtree `next` shares
 * with `prev` (the same object, as the stored status an update keeps) holds the same leaves, so it is
 * skipped; both sides walk field by field where they are non-empty objects, and compare leaf maps below that.
 */
function diffLeaves(prev: KubeObject | undefined, next: KubeObject, listKeys: ListKeys): LeafDiff {
  const diff: LeafDiff = { changed: [], removed: [] };
  if (!prev) {
    diff.changed = [...leafValues(next, listKeys).keys()];
    return diff;
  }
  diffAt(prev, next, [], [], listKeys, diff);
  return diff;
}

const ABSENT = Symbol('absent');

function diffAt(a: unknown, b: unknown, prefix: string[], schemaPath: string[], listKeys: ListKeys, diff: LeafDiff): void {
  if (a === b) return;
  if (isInnerObject(a) && isInnerObject(b)) {
    for (const [k, child] of Object.entries(b)) {
      if (skipped(prefix, k)) continue;
      diffAt(hasOwn(a, k) ? a[k] : ABSENT, child, [...prefix, k], [...schemaPath, k], listKeys, diff);
    }
    for (const [k, child] of Object.entries(a)) {
      if (skipped(prefix, k) || hasOwn(b, k)) continue;
      const gone = new Map<FieldPath, unknown>();
      collectLeaves(child, [...prefix, k], [...schemaPath, k], listKeys, gone);
      diff.removed.push(...gone.keys());
    }
    return;
  }
  const before = new Map<FieldPath, unknown>();
  const after = new Map<FieldPath, unknown>();
  if (a !== ABSENT) collectLeaves(a, prefix, schemaPath, listKeys, before);
  if (b !== ABSENT) collectLeaves(b, prefix, schemaPath, listKeys, after);
  for (const [p, v] of after) if (!before.has(p) || JSON.stringify(before.get(p)) !== JSON.stringify(v)) diff.changed.push(p);
  for (const p of before.keys()) if (!after.has(p)) diff.removed.push(p);
}

/** One step down: object field, or list-map item for a `k:` segment. */
function child(cur: unknown, seg: string): unknown {
  if (seg.startsWith('k:') && Array.isArray(cur)) {
    const i = findItem(cur, seg);
    return i >= 0 ? cur[i] : undefined;
  }
  return isObj(cur) ? cur[seg] : undefined;
}

export function valueAt(obj: unknown, path: FieldPath): unknown {
  let cur = obj;
  for (const seg of path.split(SEP)) {
    cur = child(cur, seg);
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** Removes the field at `path` from `obj`, copying the containers on the way down (they may be shared with a stored object). */
export function removeAt(obj: Record<string, unknown>, path: FieldPath): void {
  const segs = path.split(SEP);
  // containers[i] holds segs[i]; walk down, remove the leaf, then drop what the removal left empty.
  const containers: unknown[] = [obj];
  for (const seg of segs.slice(0, -1)) {
    const holder = containers[containers.length - 1];
    const next = child(holder, seg);
    if (next === undefined || next === null || typeof next !== 'object') return;
    const copy = Array.isArray(next) ? [...next] : { ...next };
    if (Array.isArray(holder)) holder[findItem(holder, seg)] = copy;
    else (holder as Record<string, unknown>)[seg] = copy;
    containers.push(copy);
  }
  // A list-map item's key fields go with the item, never alone; an item left with only its keys goes.
  const itemKeys = (i: number) => (i >= 1 && segs[i - 1].startsWith('k:') ? Object.keys(JSON.parse(segs[i - 1].slice(2)) as object) : []);
  for (let i = segs.length - 1; i >= 0; i--) {
    const parent = containers[i];
    const seg = segs[i];
    if (Array.isArray(parent)) {
      const idx = findItem(parent, seg);
      if (idx >= 0) parent.splice(idx, 1);
    } else if (isObj(parent) && !itemKeys(i).includes(seg)) delete parent[seg];
    if (i === 0) break;
    const holder = containers[i];
    const keys = itemKeys(i);
    const empty = Array.isArray(holder) ? holder.length === 0 : isObj(holder) && Object.keys(holder).every((k) => keys.includes(k));
    if (!empty) break;
  }
}

/** Dotted form for messages: ".spec.online". */
export function displayPath(path: FieldPath): string {
  return path.split(SEP).map((seg) => {
    if (!seg.startsWith('k:')) return `.${seg}`;
    const keys = JSON.parse(seg.slice(2)) as Record<string, unknown>;
    return `[${Object.entries(keys).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
  }).join('');
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
export function recordUpdate(prev: KubeObject | undefined, next: KubeObject, manager: string, subresource: string | undefined, now: string, listKeys: ListKeys = noListKeys): void {
  const { changed, removed } = diffLeaves(prev, next, listKeys);
  if (changed.length === 0 && removed.length === 0) {
    next.metadata.managedFields = prev?.metadata.managedFields;
    if (!next.metadata.managedFields) delete next.metadata.managedFields;
    return;
  }
  const touched = new Touched([...changed, ...removed]);
  const entries: ManagedFieldsEntry[] = [];
  const previous = prev?.metadata.managedFields ?? [];
  const mineAt = previous.findIndex((e) => e.manager === manager && e.operation === 'Update' && e.subresource === subresource);
  const entry = (o: { manager: string; operation: 'Apply' | 'Update'; subresource?: string }, fieldsV1: Record<string, unknown>) => {
    const e: ManagedFieldsEntry = { manager: o.manager, operation: o.operation, apiVersion: next.apiVersion, time: now, fieldsType: 'FieldsV1', fieldsV1 };
    if (o.subresource) e.subresource = o.subresource;
    entries.push(e);
  };
  previous.forEach((e, i) => {
    // An owner none of whose fields changed keeps its fieldsV1 as it is (stored objects are never mutated).
    if (i !== mineAt && e.fieldsV1 && !isFieldsLeaf(e.fieldsV1) && !touched.within(e.fieldsV1)) return entry(e, e.fieldsV1);
    const paths = [...fromFieldsV1(e.fieldsV1)].filter((p) => !touched.overlaps(p));
    if (i === mineAt) paths.push(...changed);
    if (paths.length > 0) entry(e, toFieldsV1(paths));
  });
  if (mineAt < 0 && changed.length > 0) entry({ manager, operation: 'Update', subresource }, toFieldsV1(changed));
  if (entries.length) next.metadata.managedFields = entries;
  else delete next.metadata.managedFields;
}

/** The paths a write changed or removed, asked whether an owned path overlaps one of them. */
class Touched {
  private readonly exact: Set<FieldPath>;
  /** Every proper ancestor of a touched path. */
  private readonly ancestors = new Set<FieldPath>();

  constructor(private readonly paths: FieldPath[]) {
    this.exact = new Set(paths);
    for (const p of paths) for (let i = p.indexOf(SEP); i >= 0; i = p.indexOf(SEP, i + 1)) this.ancestors.add(p.slice(0, i));
  }

  /** `overlaps(t, p)` for some touched `t`: p is touched, an ancestor of one, or below one. */
  overlaps(p: FieldPath): boolean {
    if (this.exact.has(p) || this.ancestors.has(p)) return true;
    for (let i = p.indexOf(SEP); i >= 0; i = p.indexOf(SEP, i + 1)) if (this.exact.has(p.slice(0, i))) return true;
    return false;
  }

  /** Whether some path of `fieldsV1` (as `fromFieldsV1` reads it) overlaps a touched path, found by walking the tree. */
  within(fieldsV1: Record<string, unknown>): boolean {
    return this.paths.some((p) => {
      let node: Record<string, unknown> = fieldsV1;
      let depth = 0;
      for (const seg of p.split(SEP)) {
        if (depth > 0 && isFieldsLeaf(node)) return true; // an ancestor of p is owned
        const child = node[seg.startsWith('k:') ? seg : `f:${seg}`];
        if (child === undefined) return false;
        node = (child ?? {}) as Record<string, unknown>;
        depth++;
      }
      return true; // p itself, or fields below it, are owned
    });
  }
}

/** A FieldsV1 node with no `f:`/`k:` children is an owned leaf. */
function isFieldsLeaf(node: Record<string, unknown>): boolean {
  return !Object.keys(node).some((k) => k.startsWith('f:') || k.startsWith('k:'));
}
