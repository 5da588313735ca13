/** How the provider names a NodeClaim in events, errors and the BMH consumerRef. */
import type { NodeClaimView, ObjectRef } from '../../plugin/contract.js';
import { NODE_CLAIM_API_VERSION } from './names.js';

type ClaimIdentity = Pick<NodeClaimView, 'uid' | 'name' | 'namespace'>;

export function claimObjectRef(claim: ClaimIdentity): ObjectRef {
  return { apiVersion: NODE_CLAIM_API_VERSION, kind: 'NodeClaim', name: claim.name, namespace: claim.namespace, uid: claim.uid };
}

/** `NodeClaim <namespace>/<name>`, the object named in InvalidConfiguration errors about the claim. */
export function claimDisplayName(claim: ClaimIdentity): string {
  return `NodeClaim ${claim.namespace}/${claim.name}`;
}

/** The tenant a host serves: `<project namespace>/<vCluster>`, or the namespace for a standalone machine. */
export function claimTenant(claim: Pick<NodeClaimView, 'namespace' | 'vClusterRef'>): string {
  return claim.vClusterRef ? `${claim.namespace}/${claim.vClusterRef}` : claim.namespace;
}
