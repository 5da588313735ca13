/**
 * Object semantics independent of HTTP: create, update, patch, delete with resourceVersion
 * preconditions, generation, status subresource, finalizers, schema validation and field managers.
 */
import { randomUUID } from 'node:crypto';
import type { AdmissionChain } from './admission.js';
import { serverSideApply, parseApplyBody } from './apply.js';
import { prepareBuiltinWrite } from './builtins.js';
import { listKeysFromSchema } from './listMaps.js';
import { recordUpdate } from './managedFields.js';
import { nameCauses, nowTimestamp, pathSegmentCauses, randomSuffix } from './names.js';
import { jsonPatch, mergePatch, strategicMergePatch } from './patch.js';
import type { ResourceRegistry } from './registry.js';
import { sameJson } from './sameJson.js';
import { ApiError, decodeFailure, errors } from './status.js';
import type { ObjectStore } from './store.js';
import { apiVersionOf, type KubeObject, type ResourceDef } from './types.js';
import { checkImmutable, scopeToSubresource, validateForWrite } from './writeRules.js';

export interface WriteOptions {
  subresource?: string;
  /** Who is writing: the fieldManager parameter, else the client's user agent. */
  fieldManager?: string;
  /** Whether fieldManager came from the request parameter (apply requires that). */
  fieldManagerGiven?: boolean;
  force?: boolean;
  /** fieldValidation: Strict rejects unknown fields (400), Warn (the default) reports them in `warnings`. */
  fieldValidation?: string;
  warnings?: string[];
  /** dryRun=All: every check runs, nothing is stored or announced. */
  dryRun?: boolean;
}

export interface DeleteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: string;
  orphanDependents?: boolean;
  dryRun?: string[];
}

export const FOREGROUND_FINALIZER = 'foregroundDeletion';

/** Hooks for what happens around writes: CRD (un)registration, garbage collection, namespace cleanup. */
export interface ObjectEvents {
  removed(def: ResourceDef, obj: KubeObject): void;
  committed(def: ResourceDef, obj: KubeObject): void;
  /** propagationPolicy Orphan: dependents drop their reference to `owner` before it goes. */
  orphanDependents(owner: KubeObject): void;
  hasDependents(owner: KubeObject): boolean;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Everything but metadata and status: what `generation` tracks. */
function specPart(o: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
  return rest;
}

export class ObjectService {
  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
    private readonly events: ObjectEvents,
    private readonly admission?: AdmissionChain,
  ) {}

  get(def: ResourceDef, ns: string, name: string): KubeObject {
    const obj = this.store.get(def, ns, name);
    if (!obj) throw errors.notFound(def, name);
    return obj;
  }

  private checkBody(def: ResourceDef, body: unknown, ns: string): KubeObject {
    if (!isObj(body)) throw errors.badRequest(`the body of the request must be a ${def.kind} object`);
    const obj = body as unknown as KubeObject;
    if (obj.kind !== undefined && obj.kind !== def.kind) {
      throw errors.badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${apiVersionOf(def)}) or kind ${JSON.stringify(obj.kind)} is not ${def.kind}`);
    }
    obj.kind = def.kind;
    obj.apiVersion = obj.apiVersion && def.versions.some((v) => apiVersionOf({ group: def.group, version: v }) === obj.apiVersion) ? obj.apiVersion : apiVersionOf(def);
    if (!isObj(obj.metadata)) obj.metadata = {};
    if (def.namespaced) {
      if (obj.metadata.namespace && obj.metadata.namespace !== ns) {
        throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      obj.metadata.namespace = ns;
    } else delete obj.metadata.namespace;
    return obj;
  }

  private requireNamespace(def: ResourceDef, ns: string, creating: boolean, name = ''): void {
    if (!def.namespaced) return;
    const nsDef = this.registry.lookup('', 'v1', 'namespaces')!;
    const namespace = this.store.get(nsDef, '', ns);
    if (!namespace) throw errors.namespaceNotFound(ns);
    if (creating && namespace.metadata.deletionTimestamp) {
      throw new ApiError(403, 'Forbidden', `${def.plural} "${name}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`);
    }
  }

  create(def: ResourceDef, ns: string, body: unknown, opts: WriteOptions = {}, managedByApply = false): KubeObject {
    const obj = this.checkBody(def, body, ns);
    this.requireNamespace(def, ns, true, obj.metadata.name ?? obj.metadata.generateName);
    const meta = obj.metadata;
    if (!meta.name) {
      if (!meta.generateName) throw errors.invalid(def, '', [{ field: 'metadata.name', reason: 'FieldValueRequired', message: 'Required value: name or generateName is required' }]);
      do meta.name = meta.generateName.slice(0, 58) + randomSuffix(); // the real API caps the base at 58
      while (this.store.get(def, ns, meta.name));
    }
    const causes = def.group === 'rbac.authorization.k8s.io' ? pathSegmentCauses(meta.name) : nameCauses(meta.name, def.plural === 'namespaces');
    if (causes.length) throw errors.invalid(def, meta.name, causes);
    if (this.store.get(def, ns, meta.name)) throw errors.alreadyExists(def, meta.name);
    for (const f of ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation']) delete meta[f];
    if (!managedByApply) delete meta.managedFields;
    if (def.isCustom && def.hasStatus) delete obj.status; // the real API ignores status on create when /status exists
    meta.uid = randomUUID();
    meta.creationTimestamp = nowTimestamp();
    if (def.isCustom || def.plural === 'customresourcedefinitions') meta.generation = 1;
    prepareBuiltinWrite(def, obj, true);
    const prepared = validateForWrite(def, obj, opts);
    if (!managedByApply) recordUpdate(undefined, prepared, opts.fieldManager ?? 'unknown', undefined, meta.creationTimestamp, listKeysFromSchema(def.schema));
    this.admission?.review(def, opts.subresource, { operation: 'CREATE', object: prepared });
    return this.persist(def, prepared, undefined, opts.dryRun);
  }

  update(def: ResourceDef, ns: string, name: string, body: unknown, opts: WriteOptions = {}): KubeObject {
    const obj = this.checkBody(def, body, ns);
    if (obj.metadata.name && obj.metadata.name !== name) {
      throw errors.badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
    }
    obj.metadata.name = name;
    this.requireNamespace(def, ns, false);
    const prev = this.store.get(def, ns, name);
    if (!prev) {
      if (def.allowCreateOnUpdate && !opts.subresource) return this.create(def, ns, obj, opts);
      throw errors.notFound(def, name);
    }
    const rv = obj.metadata.resourceVersion;
    if (rv) {
      if (rv !== prev.metadata.resourceVersion) throw errors.conflict(def, name);
    } else if (def.requireResourceVersionOnUpdate) {
      throw errors.invalid(def, name, [{ field: 'metadata.resourceVersion', reason: 'FieldValueInvalid', message: 'Invalid value: 0x0: must be specified for an update' }]);
    }
    return this.write(def, prev, scopeToSubresource(def, prev, obj, opts.subresource), opts);
  }

  patch(def: ResourceDef, ns: string, name: string, contentType: string, raw: string, opts: WriteOptions = {}): KubeObject {
    const type = contentType.split(';')[0].trim().toLowerCase();
    this.requireNamespace(def, ns, false);
    const prev = this.store.get(def, ns, name);
    if (type === 'application/apply-patch+yaml') return this.apply(def, ns, name, prev, raw, opts);
    if (!['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'].includes(type)) {
      throw errors.unsupportedMediaType(type);
    }
    if (type === 'application/strategic-merge-patch+json' && def.isCustom) throw errors.unsupportedMediaType(type);
    if (!prev) throw errors.notFound(def, name);
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch (e) {
      throw errors.badRequest(`error decoding patch: ${decodeFailure(e)}`);
    }
    const base = structuredClone(prev);
    const patched = (type === 'application/json-patch+json' ? jsonPatch(base, body)
      : type === 'application/merge-patch+json' ? mergePatch(base, body)
      : strategicMergePatch(base, body)) as KubeObject;
    if (!isObj(patched) || !isObj(patched.metadata)) throw errors.badRequest('patch must leave an object with metadata');
    const rv = patched.metadata.resourceVersion;
    if (rv !== undefined && rv !== prev.metadata.resourceVersion) throw errors.conflict(def, name);
    const checked = this.checkBody(def, patched, ns);
    return this.write(def, prev, scopeToSubresource(def, prev, checked, opts.subresource), opts);
  }

  private apply(def: ResourceDef, ns: string, name: string, prev: KubeObject | undefined, raw: string, opts: WriteOptions): KubeObject {
    if (!opts.fieldManager || !opts.fieldManagerGiven) throw errors.badRequest('PATCH requests for apply require a fieldManager (?fieldManager=...)');
    const applied = parseApplyBody(raw);
    const checked = this.checkBody(def, applied, ns);
    if (checked.metadata.name && checked.metadata.name !== name) {
      throw errors.badRequest(`the name of the object (${checked.metadata.name}) does not match the name on the URL (${name})`);
    }
    checked.metadata.name = name;
    const rv = checked.metadata.resourceVersion;
    if (rv !== undefined && prev && rv !== prev.metadata.resourceVersion) throw errors.conflict(def, name);
    const now = nowTimestamp();
    const result = serverSideApply({ current: prev, applied: checked, manager: opts.fieldManager!, force: !!opts.force, subresource: opts.subresource, now, describe: name, listKeys: listKeysFromSchema(def.schema) });
    if (!prev) {
      if (opts.subresource) throw errors.notFound(def, name);
      return this.create(def, ns, result, opts, true);
    }
    return this.write(def, prev, scopeToSubresource(def, prev, result, opts.subresource), opts, true);
  }

  private write(def: ResourceDef, prev: KubeObject, next: KubeObject, opts: WriteOptions, managedByApply = false): KubeObject {
    const meta = next.metadata;
    for (const f of ['uid', 'creationTimestamp', 'name', 'namespace', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation'] as const) {
      if (prev.metadata[f] === undefined) delete meta[f];
      else meta[f] = prev.metadata[f] as never;
    }
    if (prev.metadata.deletionTimestamp) {
      const added = (meta.finalizers ?? []).filter((f) => !(prev.metadata.finalizers ?? []).includes(f));
      if (added.length) {
        throw errors.invalid(def, prev.metadata.name!, [{ field: 'metadata.finalizers', reason: 'FieldValueForbidden', message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}` }]);
      }
    }
    prepareBuiltinWrite(def, next, false);
    checkImmutable(def, prev, next);
    const prepared = validateForWrite(def, next, opts);
    if (prev.metadata.generation !== undefined && !sameJson(specPart(prev), specPart(prepared))) prepared.metadata.generation = prev.metadata.generation + 1;
    if (!managedByApply) recordUpdate(prev, prepared, opts.fieldManager ?? 'unknown', opts.subresource, nowTimestamp(), listKeysFromSchema(def.schema));
    prepared.metadata.resourceVersion = prev.metadata.resourceVersion;
    if (prepared.metadata.finalizers?.length === 0) delete prepared.metadata.finalizers;
    this.admission?.review(def, opts.subresource, { operation: 'UPDATE', object: prepared, oldObject: prev });
    if (sameJson(prepared, prev)) return prev; // no-op writes keep the resourceVersion
    if (prepared.metadata.deletionTimestamp && !prepared.metadata.finalizers?.length) {
      return this.removeNow(def, prepared, opts.dryRun);
    }
    return this.persist(def, prepared, prev, opts.dryRun);
  }

  delete(def: ResourceDef, ns: string, name: string, opts: DeleteOptions = {}): KubeObject {
    const prev = this.get(def, ns, name);
    if (def.group === '' && def.plural === 'namespaces' && ['default', 'kube-system', 'kube-public'].includes(name)) {
      throw new ApiError(403, 'Forbidden', `namespaces "${name}" is forbidden: this namespace may not be deleted`, { name, kind: 'namespaces' });
    }
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== prev.metadata.uid) {
      throw errors.conflict(def, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${prev.metadata.uid}`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== prev.metadata.resourceVersion) {
      throw errors.conflict(def, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${prev.metadata.resourceVersion}`);
    }
    const policy = opts.propagationPolicy ?? (opts.orphanDependents ? 'Orphan' : 'Background');
    const dryRun = opts.dryRun?.includes('All') ?? false;
    if (policy === 'Orphan' && !dryRun) this.events.orphanDependents(prev);
    let finalizers = prev.metadata.finalizers ?? [];
    if (policy === 'Foreground' && !prev.metadata.deletionTimestamp && this.events.hasDependents(prev)) finalizers = [...finalizers, FOREGROUND_FINALIZER];
    if (finalizers.length) {
      if (prev.metadata.deletionTimestamp) return prev;
      const next: KubeObject = { ...prev, metadata: { ...prev.metadata, finalizers, deletionTimestamp: nowTimestamp(), deletionGracePeriodSeconds: 0 } };
      if (def.plural === 'namespaces' && def.group === '') next.status = { ...((prev.status as object) ?? {}), phase: 'Terminating' };
      return this.persist(def, next, prev, dryRun);
    }
    if (def.plural === 'namespaces' && def.group === '' && this.store.countIn(name) > 0) {
      // Namespaces terminate until their content is gone (the namespace controller's job).
      if (prev.metadata.deletionTimestamp) return prev;
      const next: KubeObject = { ...prev, metadata: { ...prev.metadata, deletionTimestamp: nowTimestamp() }, status: { phase: 'Terminating' } };
      return this.persist(def, next, prev, dryRun);
    }
    return this.removeNow(def, prev, dryRun);
  }

  /** A write on behalf of a controller (garbage collector), with the usual semantics. */
  writeAs(manager: string, def: ResourceDef, prev: KubeObject, next: KubeObject): KubeObject {
    return this.write(def, prev, next, { fieldManager: manager });
  }

  private persist(def: ResourceDef, next: KubeObject, prev: KubeObject | undefined, dryRun = false): KubeObject {
    if (dryRun) return next;
    const stored = this.store.commit(def, next, prev);
    this.events.committed(def, stored);
    return stored;
  }

  private removeNow(def: ResourceDef, obj: KubeObject, dryRun = false): KubeObject {
    if (dryRun) return obj;
    const gone = this.store.remove(def, obj);
    this.events.removed(def, gone);
    return gone;
  }
}
