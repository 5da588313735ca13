/**
 * The object database: resource -> namespace -> name, a global monotonic resourceVersion, and
 * indexes by uid and by owner uid (for garbage collection). Stored objects are never mutated:
 * every write stores a new object, so readers and watch history may keep references.
 */
import { ListSnapshots } from './paging.js';
import { WatchEvent, WatchHub } from './watch.js';
import type { KubeObject, ResourceDef } from './types.js';
import { resourceKey } from './types.js';

interface Entry {
  obj: KubeObject;
  json?: string;
}

export interface ObjectRef {
  resource: string;
  namespace: string;
  name: string;
}

export class ObjectStore {
  private rv = 0;
  private tables = new Map<string, Map<string, Map<string, Entry>>>();
  private byUid = new Map<string, ObjectRef>();
  private byOwner = new Map<string, Set<string>>();
  readonly hub: WatchHub;
  /** The snapshots paged lists are served from (continue tokens), dropped at compaction. */
  readonly snapshots: ListSnapshots;

  constructor(historySize: number, compactionIntervalMs?: number) {
    this.hub = new WatchHub(historySize);
    this.snapshots = new ListSnapshots(compactionIntervalMs);
  }

  currentRv(): string {
    return String(this.rv);
  }

  private namespaceTable(resource: string, ns: string, create: boolean): Map<string, Entry> | undefined {
    let byNs = this.tables.get(resource);
    if (!byNs) {
      if (!create) return undefined;
      byNs = new Map();
      this.tables.set(resource, byNs);
    }
    let byName = byNs.get(ns);
    if (!byName && create) {
      byName = new Map();
      byNs.set(ns, byName);
    }
    return byName;
  }

  get(def: ResourceDef, ns: string, name: string): KubeObject | undefined {
    return this.namespaceTable(resourceKey(def), ns, false)?.get(name)?.obj;
  }

  /** JSON of a stored object, cached so lists and watches serialise each version once. */
  json(def: ResourceDef, ns: string, name: string): string | undefined {
    const e = this.namespaceTable(resourceKey(def), ns, false)?.get(name);
    if (!e) return undefined;
    return (e.json ??= JSON.stringify(e.obj));
  }

  /** JSON of `obj`: the cached text when it is the stored version (a write's answer and its watch event share one), else fresh. */
  jsonOf(def: ResourceDef, obj: KubeObject): string {
    const e = this.namespaceTable(resourceKey(def), obj.metadata.namespace ?? '', false)?.get(obj.metadata.name ?? '');
    return e?.obj === obj ? (e.json ??= JSON.stringify(obj)) : JSON.stringify(obj);
  }

  /** Objects of a resource in one namespace (or all when ns is undefined), sorted by namespace/name. */
  list(def: ResourceDef, ns: string | undefined, match: (o: KubeObject) => boolean): { obj: KubeObject; json: () => string }[] {
    const byNs = this.tables.get(resourceKey(def));
    if (!byNs) return [];
    const namespaces = ns === undefined ? [...byNs.keys()].sort() : [ns];
    const out: { obj: KubeObject; json: () => string }[] = [];
    for (const n of namespaces) {
      const table = byNs.get(n);
      if (!table) continue;
      for (const name of [...table.keys()].sort()) {
        const e = table.get(name)!;
        if (match(e.obj)) out.push({ obj: e.obj, json: () => (e.json ??= JSON.stringify(e.obj)) });
      }
    }
    return out;
  }

  countIn(ns: string): number {
    let n = 0;
    for (const byNs of this.tables.values()) n += byNs.get(ns)?.size ?? 0;
    return n;
  }

  /** Namespaced objects in `ns`, across resources, as refs. */
  refsInNamespace(ns: string): ObjectRef[] {
    const out: ObjectRef[] = [];
    for (const [resource, byNs] of this.tables) {
      for (const name of byNs.get(ns)?.keys() ?? []) out.push({ resource, namespace: ns, name });
    }
    return out;
  }

  refByUid(uid: string): ObjectRef | undefined {
    return this.byUid.get(uid);
  }

  exists(uid: string): boolean {
    return this.byUid.has(uid);
  }

  dependentsOf(ownerUid: string): ObjectRef[] {
    return [...(this.byOwner.get(ownerUid) ?? [])].map((k) => {
      const [resource, namespace, name] = k.split('\u0000');
      return { resource, namespace, name };
    });
  }

  getByRef(ref: ObjectRef): KubeObject | undefined {
    return this.namespaceTable(ref.resource, ref.namespace, false)?.get(ref.name)?.obj;
  }

  /** Stores `next` with a fresh resourceVersion and announces it. `prev` is the version it replaces. */
  commit(def: ResourceDef, next: KubeObject, prev: KubeObject | undefined): KubeObject {
    const resource = resourceKey(def);
    const ns = next.metadata.namespace ?? '';
    next.metadata.resourceVersion = String(++this.rv);
    const entry: Entry = { obj: next };
    this.namespaceTable(resource, ns, true)!.set(next.metadata.name!, entry);
    this.reindex(resource, prev, next);
    const json = () => (entry.json ??= JSON.stringify(next));
    this.hub.publish(resource, new WatchEvent(prev ? 'MODIFIED' : 'ADDED', this.rv, ns, next, prev, json));
    return next;
  }

  /** Removes the object; the DELETED event carries it with a fresh resourceVersion, as the real API does. */
  remove(def: ResourceDef, obj: KubeObject): KubeObject {
    const resource = resourceKey(def);
    const ns = obj.metadata.namespace ?? '';
    const table = this.namespaceTable(resource, ns, false);
    table?.delete(obj.metadata.name!);
    const gone: KubeObject = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.rv) } };
    this.reindex(resource, obj, undefined);
    let json: string | undefined;
    this.hub.publish(resource, new WatchEvent('DELETED', this.rv, ns, gone, obj, () => (json ??= JSON.stringify(gone))));
    return gone;
  }

  private reindex(resource: string, prev: KubeObject | undefined, next: KubeObject | undefined): void {
    const o = next ?? prev!;
    const key = [resource, o.metadata.namespace ?? '', o.metadata.name].join('\u0000');
    for (const ref of prev?.metadata.ownerReferences ?? []) {
      const set = this.byOwner.get(ref.uid);
      set?.delete(key);
      if (set?.size === 0) this.byOwner.delete(ref.uid);
    }
    if (prev?.metadata.uid && !next) this.byUid.delete(prev.metadata.uid);
    if (!next) return;
    if (next.metadata.uid) this.byUid.set(next.metadata.uid, { resource, namespace: next.metadata.namespace ?? '', name: next.metadata.name! });
    for (const ref of next.metadata.ownerReferences ?? []) {
      let set = this.byOwner.get(ref.uid);
      if (!set) {
        set = new Set();
        this.byOwner.set(ref.uid, set);
      }
      set.add(key);
    }
  }
}
