/**
 * Pure BareMetalHost mutations for the two-phase claim used with a network fabric: a reservation
 * (claim marks only, still offline, no image) written before the switch ports move, and the removal
 * of a claim's marks (on release, or when the ports of a reserved host cannot be moved).
 */
import type { NodeClaimView } from '../../../plugin/contract.js';
import { ANNOTATION, LABEL, NETWORK_ANNOTATIONS, NODE_CLAIM_API_VERSION } from '../names.js';
import type { BareMetalHost } from '../types.js';

const CLAIM_ANNOTATIONS = [
  ANNOTATION.claimNamespace, ANNOTATION.claimName, ANNOTATION.nodeType, ANNOTATION.tenant, ANNOTATION.allocatedIp,
  ANNOTATION.releasing, ANNOTATION.originalNetwork, ANNOTATION.serverCluster, ANNOTATION.vlanId,
];

export interface Reservation {
  claim: Pick<NodeClaimView, 'uid' | 'name' | 'namespace' | 'nodeType'>;
  tenant: string;
  serverCluster: string;
  vlanId?: number;
}

/** The host held for a claim whose network is not attached yet: consumerRef, claim label and annotations, `online: false`. */
export function reservedHost(host: BareMetalHost, change: Reservation): BareMetalHost {
  const { claim } = change;
  const next = structuredClone(host);
  next.metadata.annotations = {
    ...next.metadata.annotations,
    [ANNOTATION.claimNamespace]: claim.namespace,
    [ANNOTATION.claimName]: claim.name,
    [ANNOTATION.nodeType]: claim.nodeType,
    [ANNOTATION.tenant]: change.tenant,
    [ANNOTATION.serverCluster]: change.serverCluster,
    ...(change.vlanId !== undefined ? { [ANNOTATION.vlanId]: String(change.vlanId) } : {}),
  };
  next.metadata.labels = { ...next.metadata.labels, [LABEL.nodeClaim]: claim.uid };
  next.spec.consumerRef = { apiVersion: NODE_CLAIM_API_VERSION, kind: 'NodeClaim', name: claim.name, namespace: claim.namespace, uid: claim.uid };
  next.spec.online = false;
  return next;
}

/** Whether `host` is reserved for (or claimed by) `claimUid`. */
export function isReservedFor(host: BareMetalHost, claimUid: string): boolean {
  return host.metadata.labels?.[LABEL.nodeClaim] === claimUid && host.spec.consumerRef?.uid === claimUid;
}

/**
 * The host without the claim's marks: consumerRef, label and claim annotations gone, DHCP
 * annotations restored. `recordTenant` sets `last-tenant` (only for a host the tenant really used).
 */
export function withoutClaim(host: BareMetalHost, opts: { recordTenant: boolean }): BareMetalHost {
  const next = structuredClone(host);
  const annotations: Record<string, string> = { ...next.metadata.annotations };
  const tenant = annotations[ANNOTATION.tenant];
  const original = parseOriginal(annotations[ANNOTATION.originalNetwork]);
  if (original) {
    for (const key of NETWORK_ANNOTATIONS) {
      if (original[key] !== undefined) annotations[key] = original[key];
      else delete annotations[key];
    }
  }
  for (const key of CLAIM_ANNOTATIONS) delete annotations[key];
  if (tenant && opts.recordTenant) annotations[ANNOTATION.lastTenant] = tenant;
  next.metadata.annotations = annotations;
  const labels = { ...next.metadata.labels };
  delete labels[LABEL.nodeClaim];
  next.metadata.labels = labels;
  delete next.spec.consumerRef;
  return next;
}

function parseOriginal(value: string | undefined): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}
