/** Builders for what the dashboard's snapshot is built from: machines, NodeClaims, NodeTypes, recorded events. */
import type { MachineView } from '../../../plugin/contract.js';
import type { FleetInputs } from '../../../platform/dashboard/fleetSnapshot.js';
import type { Condition, NodeClaim } from '../../../platform/nodeClaims/types.js';
import type { NodeTypeObject } from '../../../platform/nodeTypes/nodeTypeObject.js';

export const PROVIDER = 'metal3-provider';
export const NOW = new Date('2026-12-01T10:00:00Z');

export function aMachine(name: string, overrides: Partial<MachineView> = {}): MachineView {
  return { name, namespace: 'metal3-system', state: 'available', poweredOn: false, nodeType: 'gpu', ...overrides };
}

export function aNodeTypeObject(type: string, overrides: { zone?: string; displayName?: string; capacity?: { total: number; claimed: number } } = {}): NodeTypeObject {
  return {
    apiVersion: 'management.loft.sh/v1', kind: 'NodeType', metadata: { name: `${PROVIDER}.${type}` },
    spec: { providerRef: PROVIDER, properties: {}, resources: {}, ...(overrides.displayName ? { displayName: overrides.displayName } : {}),
      ...(overrides.zone ? { zone: overrides.zone } : {}) } as NodeTypeObject['spec'],
    ...(overrides.capacity ? { status: { phase: 'Available', cost: 1, capacity: overrides.capacity, requirements: [], conditions: [] } } : {}),
  };
}

export function aCondition(type: string, status: Condition['status'], at: string, reason = type, message = ''): Condition {
  return { type, status, lastTransitionTime: at, reason, message };
}

export function aNodeClaim(name: string, overrides: {
  uid?: string; vCluster?: string; typeRef?: string; phase?: 'Pending' | 'Available' | 'Failed'; reason?: string; message?: string;
  conditions?: Condition[]; createdAt?: string; deletionTimestamp?: string;
} = {}): NodeClaim {
  return {
    metadata: {
      name, namespace: 'p-demo', uid: overrides.uid ?? `uid-${name}`, creationTimestamp: new Date(overrides.createdAt ?? '2026-12-01T09:50:00Z'),
      ...(overrides.deletionTimestamp ? { deletionTimestamp: new Date(overrides.deletionTimestamp) } : {}),
    },
    spec: { providerRef: PROVIDER, vClusterRef: overrides.vCluster ?? 'tenant-1', typeRef: overrides.typeRef ?? `${PROVIDER}.gpu` },
    status: {
      ...(overrides.phase ? { phase: overrides.phase } : {}),
      ...(overrides.reason ? { reason: overrides.reason } : {}),
      ...(overrides.message ? { message: overrides.message } : {}),
      conditions: overrides.conditions ?? [],
    },
  };
}

export function fleetInputs(overrides: Partial<FleetInputs> & { hosts?: MachineView[] } = {}): FleetInputs {
  const { hosts, ...rest } = overrides;
  return {
    providers: [PROVIDER], machines: [{ provider: PROVIDER, machines: hosts ?? [] }], nodeClaims: [], nodeTypes: [aNodeTypeObject('gpu')], events: [], now: NOW,
    ...rest,
  };
}
