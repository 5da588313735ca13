/** Labels and annotations of dynamic pools, spelled as Karpenter and the platform spell them. */

/** Node and NodeClaim label naming the pool (Karpenter's NodePool label). */
export const NODEPOOL_LABEL = 'karpenter.sh/nodepool';
/** On a pod (or a Node / NodeClaim): no voluntary disruption of the node it runs on. */
export const DO_NOT_DISRUPT_ANNOTATION = 'karpenter.sh/do-not-disrupt';
/** Pods (`<namespace>/<name>`, JSON list) a claim in flight was created or chosen for. */
export const NOMINATED_PODS_ANNOTATION = 'vcluster.loft.sh/nominated-pods';
export { DISRUPTION_REASON_ANNOTATION } from '../nodeClaims/types.js';
