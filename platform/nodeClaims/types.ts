/** NodeClaim (`management.loft.sh/v1`) as the platform reads and writes it, and the names it uses. */
import type { V1ObjectMeta } from '@kubernetes/client-node';
import type { NodeClaimView } from '../../plugin/contract.js';
import type { Requirement, Taint } from '../autoNodes/config.js';

import { GROUP, VERSION } from '../runtime/apis.js';

export { GROUP, NODECLAIMS, NODEENVIRONMENTS, NODETYPES, VCIS, VERSION } from '../runtime/apis.js';

export const CLAIM_FINALIZER = 'platform.vcluster.com/node-claim';
/** Pool nodeLabels travel on the claim as a JSON annotation (NodeClaim has no nodeLabels field). */
export const NODE_LABELS_ANNOTATION = 'vcluster.loft.sh/node-labels';
/** Pool terminationGracePeriod ("30s", "Never") bounds the drain. */
export const TERMINATION_GRACE_ANNOTATION = 'vcluster.loft.sh/termination-grace-period';
export const SKIP_DRAIN_ANNOTATION = 'vcluster.com/skip-node-drain';
/** "true" puts a claim first in its pool's scale-down order (as the `PreferredDeletion` condition does). */
export const PREFERRED_DELETION_ANNOTATION = 'vcluster.loft.sh/preferred-deletion';

/** Why a claim was deleted by a disruption (dynamic pools) or a drift replacement: Empty, Underutilized, Expired or Drifted. */
export const DISRUPTION_REASON_ANNOTATION = 'vcluster.loft.sh/disruption-reason';
/** On a drift replacement: the name of the drifted claim of its pool it replaces (autoNodes/driftRollout.ts). */
export const REPLACES_ANNOTATION = 'vcluster.loft.sh/replaces';

export const LABEL_VCLUSTER = 'vcluster.loft.sh/vcluster';
export const LABEL_POOL = 'vcluster.loft.sh/node-pool';
export const LABEL_PROVIDER = 'vcluster.loft.sh/provider';

export type ClaimPhase = 'Pending' | 'Available' | 'Failed';

import type { Condition } from '../runtime/conditions.js';

export type { Condition };

export interface NodeClaim {
  apiVersion?: string;
  kind?: string;
  metadata: V1ObjectMeta;
  spec: {
    providerRef: string;
    typeRef?: string;
    vClusterRef?: string;
    environmentRef?: string;
    properties?: Record<string, string>;
    taints?: Taint[];
    startupTaints?: Taint[];
    requirements?: Requirement[];
    desiredCapacity?: Record<string, string>;
    kubeletArgs?: Record<string, string>;
    controlPlane?: boolean;
    /** `""` means On. */
    power?: { state?: '' | 'On' | 'Off' };
  };
  status?: {
    phase?: ClaimPhase;
    reason?: string;
    message?: string;
    conditions?: Condition[];
    /** On, Off, or on the way: Starting / Stopping. */
    power?: { state?: string };
  };
}

export function claimKey(c: Pick<NodeClaim, 'metadata'>): string {
  return `${c.metadata.namespace}/${c.metadata.name}`;
}

export function claimRef(c: NodeClaim) {
  return {
    apiVersion: `${GROUP}/${VERSION}`, kind: 'NodeClaim',
    name: c.metadata.name!, namespace: c.metadata.namespace, uid: c.metadata.uid,
  };
}

/** What the provider sees of a claim. */
export function claimView(c: NodeClaim): NodeClaimView {
  const prefix = `${c.spec.providerRef}.`;
  const typeRef = c.spec.typeRef ?? '';
  let nodeLabels: Record<string, string> | undefined;
  const raw = c.metadata.annotations?.[NODE_LABELS_ANNOTATION];
  if (raw) {
    try {
      nodeLabels = JSON.parse(raw) as Record<string, string>;
    } catch {
      nodeLabels = undefined;
    }
  }
  return {
    uid: c.metadata.uid!,
    name: c.metadata.name!,
    namespace: c.metadata.namespace!,
    nodeType: typeRef.startsWith(prefix) ? typeRef.slice(prefix.length) : typeRef,
    vClusterRef: c.spec.vClusterRef || undefined,
    properties: c.spec.properties,
    environmentRef: c.spec.environmentRef || undefined,
    nodeLabels,
    taints: c.spec.taints,
    startupTaints: c.spec.startupTaints,
    kubeletArgs: c.spec.kubeletArgs,
  };
}
