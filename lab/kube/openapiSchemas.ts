/**
 * The OpenAPI component schemas the API publishes, named as kube-apiserver names them: custom resources from their
 * CRD's openAPIV3Schema (`io.metal3.v1alpha1.BareMetalHost`), built-ins from @kubernetes/client-node's models
 * (`io.k8s.api.core.v1.Secret`, field names and types; the models carry no descriptions), each served kind tagged
 * with `x-kubernetes-group-version-kind`. References are written for OpenAPI v3 (`#/components/schemas/`).
 */
import * as models from '@kubernetes/client-node';
import type { JsonObject, ResourceDef } from './types.js';

export type SchemaMap = Record<string, JsonObject>;

const REF_PREFIX = '#/components/schemas/';
const META_PACKAGE = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const META_TYPES = new Set([
  'ObjectMeta', 'ListMeta', 'OwnerReference', 'ManagedFieldsEntry', 'LabelSelector', 'LabelSelectorRequirement',
  'Condition', 'Status', 'StatusDetails', 'StatusCause', 'DeleteOptions', 'Preconditions',
]);
const OBJECT_META_REF = `${REF_PREFIX}${META_PACKAGE}.ObjectMeta`;

interface Attribute { name: string; baseName: string; type: string; format: string }
type ModelClass = { getAttributeTypeMap(): Attribute[] };

function modelClass(name: string): ModelClass | undefined {
  const c = (models as unknown as Record<string, unknown>)[name] as ModelClass | undefined;
  return typeof c?.getAttributeTypeMap === 'function' ? c : undefined;
}

/** `io.metal3.v1alpha1` for metal3.io/v1alpha1; `io.k8s.api.core.v1` and friends for built-ins. */
export function schemaPackage(def: Pick<ResourceDef, 'group' | 'version' | 'isCustom'>): string {
  if (def.isCustom) return [...def.group.split('.').reverse(), def.version].join('.');
  if (def.group === 'apiextensions.k8s.io') return `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${def.version}`;
  const short = def.group === '' ? 'core' : def.group.replace(/\.k8s\.io$/, '');
  return `io.k8s.api.${short}.${def.version}`;
}

export function schemaName(def: Pick<ResourceDef, 'group' | 'version' | 'isCustom' | 'kind'>): string {
  return `${schemaPackage(def)}.${def.kind}`;
}

function gvk(def: ResourceDef): JsonObject[] {
  return [{ group: def.group, kind: def.kind, version: def.version }];
}

/** The client-node model of a built-in kind: `V1Secret`, `CoreV1Event`, `EventsV1Event`, `V1Lease`... */
function rootModel(def: ResourceDef): string | undefined {
  const version = def.version.charAt(0).toUpperCase() + def.version.slice(1);
  const groupPrefix = def.group === '' ? 'Core' : def.group.split('.')[0]!.replace(/^./, (c) => c.toUpperCase());
  return [`${groupPrefix}${version}${def.kind}`, `${version}${def.kind}`].find((n) => modelClass(n));
}

/** Generates the schemas of a client-node model and every model it references into `out`. */
class ModelSchemas {
  constructor(private readonly out: SchemaMap, private readonly pkg: string) {}

  private nameOf(model: string): string {
    const bare = model.replace(/^[A-Z][a-z]*V\d+((alpha|beta)\d+)?(?=[A-Z])/, '').replace(/^V\d+((alpha|beta)\d+)?(?=[A-Z])/, '');
    return META_TYPES.has(bare) ? `${META_PACKAGE}.${bare}` : `${this.pkg}.${bare}`;
  }

  add(model: string, extra: JsonObject = {}): string {
    const name = this.nameOf(model);
    if (this.out[name]) return name;
    const properties: JsonObject = {};
    this.out[name] = { type: 'object', properties, ...extra };
    for (const a of modelClass(model)!.getAttributeTypeMap()) properties[a.baseName] = this.typeSchema(a.type, a.format, true);
    return name;
  }

  private typeSchema(type: string, format: string, asProperty: boolean): JsonObject {
    const withFormat = (s: JsonObject) => (format ? { ...s, format } : s);
    const array = /^Array<(.+)>$/.exec(type);
    if (array) return { type: 'array', items: this.typeSchema(array[1]!, '', false) };
    const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
    if (map) return { type: 'object', additionalProperties: this.typeSchema(map[1]!, format, false) };
    switch (type) {
      case 'string': return withFormat({ type: 'string' });
      case 'number': return withFormat({ type: /^int/.test(format) ? 'integer' : 'number' });
      case 'boolean': return { type: 'boolean' };
      case 'Date': return { type: 'string', format: 'date-time' };
      case 'IntOrString': return { type: 'string', format: 'int-or-string', 'x-kubernetes-int-or-string': true };
      case 'any': case 'object': return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    }
    if (!modelClass(type)) return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    const ref = { $ref: `${REF_PREFIX}${this.add(type)}` };
    return asProperty ? { allOf: [ref] } : ref;
  }
}

/** A CRD's schema as kube-apiserver publishes it: metadata as a reference to ObjectMeta, tagged with its GVK. */
function customResourceSchema(def: ResourceDef): JsonObject {
  const schema = structuredClone(def.schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }) as JsonObject & { properties?: JsonObject };
  schema.properties = {
    ...(schema.properties ?? {}),
    metadata: { allOf: [{ $ref: OBJECT_META_REF }], description: "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata" },
  };
  return { ...schema, 'x-kubernetes-group-version-kind': gvk(def) };
}

/** The component schemas for `defs` (and what they reference), keyed by their kube-apiserver names. */
export function componentSchemas(defs: ResourceDef[]): SchemaMap {
  const out: SchemaMap = {};
  const meta = new ModelSchemas(out, META_PACKAGE);
  meta.add('V1ObjectMeta');
  meta.add('V1ListMeta');
  for (const def of defs) {
    if (def.isCustom) {
      out[schemaName(def)] = customResourceSchema(def);
      out[`${schemaName(def)}List`] = {
        type: 'object',
        required: ['items'],
        properties: {
          apiVersion: { type: 'string' },
          items: { type: 'array', items: { $ref: `${REF_PREFIX}${schemaName(def)}` } },
          kind: { type: 'string' },
          metadata: { allOf: [{ $ref: `${REF_PREFIX}${META_PACKAGE}.ListMeta` }] },
        },
        'x-kubernetes-group-version-kind': [{ group: def.group, kind: def.listKind, version: def.version }],
      };
      continue;
    }
    const model = rootModel(def);
    if (!model) continue;
    new ModelSchemas(out, schemaPackage(def)).add(model, { 'x-kubernetes-group-version-kind': gvk(def) });
  }
  return out;
}

/** Rewrites every `$ref` of `schemas` from OpenAPI v3's components to swagger 2.0's definitions. */
export function asDefinitions(schemas: SchemaMap): SchemaMap {
  const rewrite = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(rewrite);
    if (!v || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === 'nullable' || k === 'x-kubernetes-validations') continue; // not part of swagger 2.0 schemas
      out[k] = k === '$ref' && typeof x === 'string' ? x.replace(REF_PREFIX, '#/definitions/') : rewrite(x);
    }
    return out;
  };
  return rewrite(schemas) as SchemaMap;
}
