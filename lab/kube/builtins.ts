/** The built-in resources the lab serves (a small slice of core Kubernetes). */
import type { PrinterColumn, ResourceDef } from './types.js';

interface BuiltinSpec {
  group?: string;
  version?: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  hasStatus?: boolean;
  printerColumns?: PrinterColumn[];
  allowCreateOnUpdate?: boolean;
}

function builtin(s: BuiltinSpec): ResourceDef {
  const version = s.version ?? 'v1';
  return {
    group: s.group ?? '',
    version,
    versions: [version],
    plural: s.plural,
    singular: s.singular,
    kind: s.kind,
    listKind: `${s.kind}List`,
    namespaced: s.namespaced,
    shortNames: s.shortNames ?? [],
    categories: s.categories ?? [],
    hasStatus: s.hasStatus ?? false,
    isCustom: false,
    printerColumns: s.printerColumns ?? [],
    allowCreateOnUpdate: s.allowCreateOnUpdate ?? false,
    requireResourceVersionOnUpdate: false,
  };
}

export function builtinResources(): ResourceDef[] {
  return [
    builtin({ plural: 'namespaces', singular: 'namespace', kind: 'Namespace', namespaced: false, shortNames: ['ns'], hasStatus: true,
      printerColumns: [{ name: 'Status', type: 'string', jsonPath: '.status.phase' }] }),
    builtin({ plural: 'secrets', singular: 'secret', kind: 'Secret', namespaced: true,
      printerColumns: [{ name: 'Type', type: 'string', jsonPath: '.type' }, { name: 'Data', type: 'integer', jsonPath: '.data', format: 'count' }] }),
    builtin({ plural: 'configmaps', singular: 'configmap', kind: 'ConfigMap', namespaced: true, shortNames: ['cm'],
      printerColumns: [{ name: 'Data', type: 'integer', jsonPath: '.data', format: 'count' }] }),
    builtin({ plural: 'nodes', singular: 'node', kind: 'Node', namespaced: false, shortNames: ['no'], hasStatus: true,
      printerColumns: [{ name: 'Status', type: 'string', jsonPath: '.status.conditions', format: 'node-ready' }, { name: 'Version', type: 'string', jsonPath: '.status.nodeInfo.kubeletVersion' }] }),
    builtin({ plural: 'events', singular: 'event', kind: 'Event', namespaced: true, shortNames: ['ev'], allowCreateOnUpdate: true,
      printerColumns: [{ name: 'Type', type: 'string', jsonPath: '.type' }, { name: 'Reason', type: 'string', jsonPath: '.reason' }, { name: 'Object', type: 'string', jsonPath: '.involvedObject.name' }, { name: 'Message', type: 'string', jsonPath: '.message' }] }),
    builtin({ group: 'events.k8s.io', plural: 'events', singular: 'event', kind: 'Event', namespaced: true, shortNames: ['ev'], allowCreateOnUpdate: true,
      printerColumns: [{ name: 'Type', type: 'string', jsonPath: '.type' }, { name: 'Reason', type: 'string', jsonPath: '.reason' }, { name: 'Note', type: 'string', jsonPath: '.note' }] }),
    builtin({ group: 'coordination.k8s.io', plural: 'leases', singular: 'lease', kind: 'Lease', namespaced: true, allowCreateOnUpdate: true,
      printerColumns: [{ name: 'Holder', type: 'string', jsonPath: '.spec.holderIdentity' }] }),
    builtin({ group: 'apiextensions.k8s.io', plural: 'customresourcedefinitions', singular: 'customresourcedefinition', kind: 'CustomResourceDefinition',
      namespaced: false, shortNames: ['crd', 'crds'], hasStatus: true,
      printerColumns: [{ name: 'Created At', type: 'string', jsonPath: '.metadata.creationTimestamp' }] }),
  ];
}

/** Per-kind write rules of built-ins: Secret stringData folds into base64 data; Namespaces start Active. */
export function prepareBuiltinWrite(def: ResourceDef, obj: Record<string, unknown>, creating: boolean): void {
  if (def.isCustom || def.group !== '') return;
  if (def.plural === 'secrets') {
    const stringData = obj.stringData as Record<string, string> | undefined;
    if (stringData) {
      const data = { ...((obj.data as Record<string, string>) ?? {}) };
      for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
      obj.data = data;
      delete obj.stringData;
    }
    if (creating && !obj.type) obj.type = 'Opaque';
  }
  if (def.plural === 'namespaces' && creating) {
    obj.spec = { finalizers: ['kubernetes'], ...((obj.spec as object) ?? {}) };
    obj.status = { phase: 'Active' };
  }
}
