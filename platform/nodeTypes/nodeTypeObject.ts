/**
 * The NodeType object the platform publishes for one of a provider's types (vcluster-vmetal.md §2.2):
 * `<provider>.<type>`, spec copied from the type, status with computed cost, capacity, requirements.
 */
import type { NodeTypeView } from '../../plugin/contract.js';
import { builtInProperties, effectiveCost } from '../scheduling/pickNodeType.js';
import { API_VERSION } from '../runtime/apis.js';
import { withConditions, type Condition } from '../runtime/conditions.js';

export const MANAGED_BY_LABEL = 'autoscaling.loft.sh/managed-by';
export const MANAGED_METADATA_ANNOTATION = 'autoscaling.loft.sh/managed-metadata';

export interface NodeTypeObject {
  apiVersion: 'management.loft.sh/v1';
  kind: 'NodeType';
  metadata: {
    name: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
  };
  spec: {
    providerRef: string;
    displayName?: string;
    properties: Record<string, string>;
    resources: Record<string, string>;
    overhead?: { kubeReserved?: Record<string, string> };
    cost?: number;
    /** The site; published as the built-in property `topology.kubernetes.io/zone` (default `global`). */
    zone?: string;
  };
  status?: NodeTypeStatus;
}

export interface NodeSelectorRequirement {
  key: string;
  operator: 'In' | 'Exists';
  values?: string[];
}

export interface NodeTypeStatus {
  phase: 'Pending' | 'Available' | 'Failed';
  reason?: string;
  message?: string;
  cost: number;
  capacity: { total: number; claimed: number };
  requirements: NodeSelectorRequirement[];
  conditions: Condition[];
}

export function nodeTypeName(provider: string, type: string): string {
  return `${provider}.${type}`;
}

/** Metadata and spec; the owner reference lets deleting the NodeProvider garbage-collect its NodeTypes. */
export function desiredNodeType(provider: string, providerUid: string | undefined, view: NodeTypeView): NodeTypeObject {
  const labels = { ...(view.metadata?.labels ?? {}), [MANAGED_BY_LABEL]: provider };
  const extraAnnotations = view.metadata?.annotations ?? {};
  const managed = { labels: Object.keys(view.metadata?.labels ?? {}).sort(), annotations: Object.keys(extraAnnotations).sort() };
  return {
    apiVersion: API_VERSION,
    kind: 'NodeType',
    metadata: {
      name: nodeTypeName(provider, view.name),
      labels,
      annotations: { ...extraAnnotations, [MANAGED_METADATA_ANNOTATION]: JSON.stringify(managed) },
      ...(providerUid
        ? { ownerReferences: [{ apiVersion: API_VERSION, kind: 'NodeProvider', name: provider, uid: providerUid, controller: true }] }
        : {}),
    },
    spec: {
      providerRef: provider,
      displayName: view.displayName,
      properties: view.properties ?? {},
      resources: view.resources ?? {},
      overhead: view.overhead,
      cost: view.cost,
      zone: view.zone,
    },
  };
}

/** Requirements a node of this type satisfies: its properties plus the platform's built-ins. */
export function requirementsOf(provider: string, view: NodeTypeView): NodeSelectorRequirement[] {
  const full = nodeTypeName(provider, view.name);
  const builtIns = builtInProperties({ name: full, providerRef: provider, properties: {}, resources: {}, capacity: { total: 0, claimed: 0 }, zone: view.zone });
  // Built-in type keys name the full NodeType name (what Karpenter's instance-type requirement carries).
  builtIns['vcluster.com/node-type'] = full;
  builtIns['node.kubernetes.io/instance-type'] = full;
  const all: Record<string, string> = { ...(view.properties ?? {}), ...builtIns };
  return Object.keys(all).sort().map((key) => {
    const value = all[key];
    if (value === '*') return { key, operator: 'Exists' as const };
    return { key, operator: 'In' as const, values: value.split(',').map((v) => v.trim()).filter(Boolean) };
  });
}

/**
 * Cost unless set: 10 per CPU, 2 per GB of memory (decimal GB: bytes / 1e9, so 128Gi ≈ 137 GB),
 * 10000 per unit of any other resource. Rounded to an integer (the field is int64).
 */
export function computedCost(provider: string, view: NodeTypeView): number {
  return Math.round(effectiveCost({
    name: nodeTypeName(provider, view.name), providerRef: provider, properties: view.properties ?? {},
    resources: view.resources ?? {}, cost: view.cost, capacity: view.capacity,
  }));
}

export function desiredStatus(provider: string, view: NodeTypeView, existing: NodeTypeStatus | undefined, nowIso: string): NodeTypeStatus {
  const { total, claimed } = view.capacity;
  const free = total - claimed;
  const capacityMessage = total === 0 ? 'no host matches the type\'s selector' : free > 0 ? `${free} of ${total} hosts free` : `all ${total} hosts claimed`;
  // An unreachable site offers nothing new, whatever its last known capacity was.
  const offered = view.unavailable ? { reason: view.unavailable.reason, message: view.unavailable.message }
    : free > 0 ? undefined : { reason: total === 0 ? 'NoHosts' : 'NoCapacity', message: capacityMessage };
  const phase = offered ? 'Pending' : 'Available';
  return {
    phase,
    ...(offered ? { reason: offered.reason, message: offered.message } : {}),
    cost: computedCost(provider, view),
    capacity: { total, claimed },
    requirements: requirementsOf(provider, view),
    conditions: withConditions(existing?.conditions, [
      view.unavailable
        ? { type: 'Synced', status: 'False', reason: view.unavailable.reason, message: view.unavailable.message }
        : { type: 'Synced', status: 'True', reason: 'Synced', message: `synced from NodeProvider ${provider}` },
      offered
        ? { type: 'HasCapacity', status: 'False', reason: offered.reason, message: offered.message }
        : { type: 'HasCapacity', status: 'True', reason: 'CapacityAvailable', message: capacityMessage },
    ], new Date(nowIso)),
  };
}
