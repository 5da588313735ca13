/**
 * What controllers do in a real cluster, reduced to what the lab needs: serve CRDs once stored,
 * background garbage collection by ownerReferences, namespace termination, ClusterRole aggregation;
 * and telling the RBAC authorizer that its cached grants are stale.
 */
import { aggregateClusterRoles } from './aggregation.js';
import { FOREGROUND_FINALIZER, type ObjectEvents, type ObjectService } from './objects.js';
import type { ResourceRegistry } from './registry.js';
import type { ObjectStore } from './store.js';
import { resourceKey, type KubeObject, type ObjectMeta, type ResourceDef } from './types.js';

const isCrdDef = (def: ResourceDef) => def.group === 'apiextensions.k8s.io' && def.plural === 'customresourcedefinitions';
const establishedFor = (crd: KubeObject) =>
  ((crd.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');
const isNamespaceDef = (def: ResourceDef) => def.group === '' && def.plural === 'namespaces';
const isRbacDef = (def: ResourceDef) => def.group === 'rbac.authorization.k8s.io';

export class Controllers implements ObjectEvents {
  private service?: ObjectService;
  private pending = new Set<NodeJS.Immediate>();
  private stopped = false;
  private aggregationPending = false;
  /** Called synchronously on every RBAC write, so the next request is authorized against it. */
  onRbacChange: () => void = () => {};

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
  ) {}

  attach(service: ObjectService): void {
    this.service = service;
  }

  stop(): void {
    this.stopped = true;
    for (const h of this.pending) clearImmediate(h);
    this.pending.clear();
  }

  private later(fn: () => void): void {
    if (this.stopped) return;
    const h = setImmediate(() => {
      this.pending.delete(h);
      if (!this.stopped) fn();
    });
    this.pending.add(h);
  }

  private rbacChanged(def: ResourceDef): void {
    this.onRbacChange();
    if (def.plural !== 'clusterroles' || this.aggregationPending) return;
    this.aggregationPending = true;
    this.later(() => {
      this.aggregationPending = false;
      aggregateClusterRoles(this.store, this.service!, def);
    });
  }

  committed(def: ResourceDef, obj: KubeObject): void {
    if (isRbacDef(def)) this.rbacChanged(def);
    if (isCrdDef(def) && !obj.metadata.deletionTimestamp) {
      this.registry.registerCrd(obj);
      if (!establishedFor(obj)) this.later(() => this.establish(def, obj.metadata.name!));
    }
    if (isNamespaceDef(def) && obj.metadata.deletionTimestamp) this.later(() => this.emptyNamespace(obj.metadata.name!));
    if (obj.metadata.deletionTimestamp && obj.metadata.finalizers?.includes(FOREGROUND_FINALIZER)) {
      const uid = obj.metadata.uid!;
      this.later(() => this.foreground(uid));
    }
  }

  /** What the apiextensions controller reports once a CRD is served. */
  private establish(def: ResourceDef, name: string): void {
    const crd = this.store.get(def, '', name);
    if (!crd || establishedFor(crd)) return;
    const spec = crd.spec as { names: object; versions: { name: string; storage?: boolean }[] };
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const condition = (type: string, reason: string, message: string) => ({ type, status: 'True', lastTransitionTime: now, reason, message });
    const status = {
      acceptedNames: spec.names,
      conditions: [condition('NamesAccepted', 'NoConflicts', 'no conflicts found'), condition('Established', 'InitialNamesAccepted', 'the initial names have been accepted')],
      storedVersions: spec.versions.filter((v) => v.storage).map((v) => v.name),
    };
    this.service!.writeAs('apiextensions-controller', def, crd, { ...crd, status });
  }

  hasDependents(owner: KubeObject): boolean {
    return this.store.dependentsOf(owner.metadata.uid ?? '').length > 0;
  }

  orphanDependents(owner: KubeObject): void {
    const uid = owner.metadata.uid ?? '';
    for (const ref of this.store.dependentsOf(uid)) {
      const dep = this.store.getByRef(ref);
      const def = this.registry.byResourceKey(ref.resource);
      if (!dep || !def) continue;
      const owners = (dep.metadata.ownerReferences ?? []).filter((o) => o.uid !== uid);
      const metadata: ObjectMeta = { ...dep.metadata, ownerReferences: owners };
      if (owners.length === 0) delete metadata.ownerReferences;
      this.service!.writeAs('garbage-collector', def, dep, { ...dep, metadata });
    }
  }

  /** Foreground deletion: dependents go first; the owner's foregroundDeletion finalizer is dropped when none is left. */
  private foreground(ownerUid: string): void {
    const ownerRef = this.store.refByUid(ownerUid);
    const owner = ownerRef && this.store.getByRef(ownerRef);
    const def = ownerRef && this.registry.byResourceKey(ownerRef.resource);
    if (!owner || !def || !owner.metadata.finalizers?.includes(FOREGROUND_FINALIZER)) return;
    const dependents = this.store.dependentsOf(ownerUid);
    for (const ref of dependents) {
      const dep = this.store.getByRef(ref);
      const depDef = this.registry.byResourceKey(ref.resource);
      if (dep && depDef && !dep.metadata.deletionTimestamp) this.tryDelete(depDef, dep);
    }
    if (this.store.dependentsOf(ownerUid).length > 0) return;
    const finalizers = owner.metadata.finalizers.filter((f) => f !== FOREGROUND_FINALIZER);
    this.service!.writeAs('garbage-collector', def, owner, { ...owner, metadata: { ...owner.metadata, finalizers } });
  }

  removed(def: ResourceDef, obj: KubeObject): void {
    if (isRbacDef(def)) this.rbacChanged(def);
    if (isCrdDef(def)) this.dropCustomResources(obj);
    if (obj.metadata.uid) {
      const uid = obj.metadata.uid;
      this.later(() => this.collectDependents(uid));
    }
    for (const owner of obj.metadata.ownerReferences ?? []) this.later(() => this.foreground(owner.uid));
    const ns = obj.metadata.namespace;
    if (ns) this.later(() => this.finishNamespace(ns));
  }

  private dropCustomResources(crd: KubeObject): void {
    const spec = crd.spec as { group: string; names: { plural: string } };
    const def = this.registry.byResourceKey(`${spec.group}/${spec.names.plural}`);
    this.registry.unregisterCrd(crd.metadata.name!);
    if (!def) return;
    for (const { obj } of this.store.list(def, undefined, () => true)) this.store.remove(def, obj);
    this.store.hub.endResource(resourceKey(def));
  }

  /** Background propagation: a dependent goes once none of its owners exists any more. */
  private collectDependents(ownerUid: string): void {
    for (const ref of this.store.dependentsOf(ownerUid)) {
      const obj = this.store.getByRef(ref);
      const def = this.registry.byResourceKey(ref.resource);
      if (!obj || !def || obj.metadata.deletionTimestamp) continue;
      const owners = obj.metadata.ownerReferences ?? [];
      if (owners.some((o) => this.store.exists(o.uid))) continue;
      this.tryDelete(def, obj);
    }
  }

  private emptyNamespace(ns: string): void {
    for (const ref of this.store.refsInNamespace(ns)) {
      const obj = this.store.getByRef(ref);
      const def = this.registry.byResourceKey(ref.resource);
      if (obj && def && !obj.metadata.deletionTimestamp) this.tryDelete(def, obj);
    }
    this.finishNamespace(ns);
  }

  private finishNamespace(ns: string): void {
    const nsDef = this.registry.lookup('', 'v1', 'namespaces')!;
    const namespace = this.store.get(nsDef, '', ns);
    if (!namespace?.metadata.deletionTimestamp || this.store.countIn(ns) > 0) return;
    if (namespace.metadata.finalizers?.length) return;
    this.store.remove(nsDef, namespace);
  }

  private tryDelete(def: ResourceDef, obj: KubeObject): void {
    try {
      this.service!.delete(def, obj.metadata.namespace ?? '', obj.metadata.name!);
    } catch {
      // Already gone or otherwise not deletable now; a later event will retry.
    }
  }
}
