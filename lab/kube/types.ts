/** Shapes shared by the emulator's modules. Objects are plain JSON; the store never mutates one it has handed out. */

export type Verb = 'LIST' | 'GET' | 'WATCH' | 'CREATE' | 'UPDATE' | 'PATCH' | 'DELETE';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }[];
  managedFields?: ManagedFieldsEntry[];
  [k: string]: unknown;
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [k: string]: unknown;
}

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  priority?: number;
  format?: string;
}

/** A subresource listed in discovery beyond `status` (e.g. pods/eviction, which kubectl drain looks for). */
export interface ExtraSubresource {
  name: string;
  group: string;
  version: string;
  kind: string;
  verbs: string[];
}

/** One served resource (built-in or from a CRD). */
export interface ResourceDef {
  group: string; // '' for core
  version: string;
  /** Every version this resource is served at (CRDs may serve several; objects keep their stored apiVersion). */
  versions: string[];
  plural: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  hasStatus: boolean;
  isCustom: boolean;
  printerColumns: PrinterColumn[];
  /** openAPIV3Schema of the served version (CRDs only). */
  schema?: JsonObject;
  /** Real API: leases and events may be created by PUT. */
  allowCreateOnUpdate: boolean;
  /** Real API: custom resources require metadata.resourceVersion on PUT. */
  requireResourceVersionOnUpdate: boolean;
  /** Subresources other than status that discovery lists. */
  subresources?: ExtraSubresource[];
  /** Verbs discovery lists when not the full set: the review resources are create-only and never stored. */
  verbs?: string[];
}

export function apiVersionOf(def: Pick<ResourceDef, 'group' | 'version'>): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}

/** `<plural>.<group>` as in error messages ("baremetalhosts.metal3.io"), or just the plural for core. */
export function qualifiedResource(def: Pick<ResourceDef, 'group' | 'plural'>): string {
  return def.group ? `${def.plural}.${def.group}` : def.plural;
}

export function resourceKey(def: Pick<ResourceDef, 'group' | 'plural'>): string {
  return `${def.group}/${def.plural}`;
}
