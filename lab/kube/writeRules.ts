/** Per-write rules kept apart from the write flow: subresource scoping, schema checks, immutability. */
import { unknownBuiltinFields } from './builtinFields.js';
import { validateCrd } from './crd.js';
import type { WriteOptions } from './objects.js';
import { defaultAndPrune, SchemaMemo, validateAgainstSchema, type Schema } from '../../common/schemaValidate.js';
import { metadataCauses } from './names.js';
import { errors, type Cause } from './status.js';
import type { KubeObject, ResourceDef } from './types.js';

/** Main endpoint keeps the stored status; /status keeps everything but status. */
export function scopeToSubresource(def: ResourceDef, prev: KubeObject, next: KubeObject, subresource: string | undefined): KubeObject {
  if (subresource === 'status') {
    if (!def.hasStatus) throw errors.pathNotFound(`${def.plural}/status`);
    const out: KubeObject = { ...prev, metadata: { ...prev.metadata } };
    if (next.status === undefined) delete out.status;
    else out.status = next.status;
    if (next.metadata.managedFields) out.metadata.managedFields = next.metadata.managedFields;
    return out;
  }
  if (subresource) throw errors.pathNotFound(`${def.plural}/${subresource}`);
  if (def.hasStatus) {
    if (prev.status === undefined) delete next.status;
    else next.status = prev.status;
  }
  return next;
}

/** Stored objects are never mutated, so a subtree an update keeps (the status a PUT keeps) is checked once. */
const memo = new SchemaMemo();

/** Schema defaults/pruning/validation for custom resources; CRD sanity for CRD objects. */
export function validateForWrite(def: ResourceDef, obj: KubeObject, opts: Pick<WriteOptions, 'fieldValidation' | 'warnings'>): KubeObject {
  const name = obj.metadata.name ?? '';
  let causes: Cause[] = metadataCauses(obj.metadata);
  if (def.plural === 'customresourcedefinitions' && def.group === 'apiextensions.k8s.io') causes = causes.concat(validateCrd(obj));
  if (!def.isCustom && opts.fieldValidation === 'Strict') {
    // Built-ins are checked only when asked to be strict (kubectl's default); client-node never asks.
    const unknown = unknownBuiltinFields(def, obj);
    if (unknown.length) throw errors.badRequest(`${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: strict decoding error: ${unknown.map((p) => `unknown field "${p}"`).join(', ')}`);
  }
  if (def.isCustom && def.schema) {
    const schema = def.schema as Schema;
    const pruned: string[] = [];
    obj = defaultAndPrune(schema, obj, ['apiVersion', 'kind', 'metadata'], pruned, memo) as KubeObject;
    if (pruned.length && opts.fieldValidation === 'Strict') {
      throw errors.badRequest(`${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: strict decoding error: ${pruned.map((p) => `unknown field "${p}"`).join(', ')}`);
    }
    if (opts.fieldValidation !== 'Ignore') for (const p of pruned) opts.warnings?.push(`unknown field "${p}"`);
    const { metadata: _m, ...rest } = obj;
    causes = causes.concat(validateAgainstSchema({ ...schema, properties: { ...(schema.properties ?? {}), metadata: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }, { ...rest, metadata: {} }, '', memo));
  }
  if (causes.length) throw errors.invalid(def, name, causes);
  return obj;
}

/** Secrets and ConfigMaps marked immutable keep their data. */
export function checkImmutable(def: ResourceDef, prev: KubeObject, next: KubeObject): void {
  if (!def.isCustom && (prev as { immutable?: boolean }).immutable) {
    for (const f of ['data', 'binaryData', 'immutable']) {
      if (JSON.stringify(prev[f]) !== JSON.stringify(next[f])) {
        throw errors.invalid(def, prev.metadata.name!, [{ field: f, reason: 'FieldValueForbidden', message: 'Forbidden: field is immutable when `immutable` is set' }]);
      }
    }
  }
}
