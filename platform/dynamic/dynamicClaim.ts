/** Pure: the NodeClaim the provisioner creates for a planned node of a dynamic pool. */
import type { Resources } from '../../common/podFit.js';
import { poolClaim, type VciRef } from '../autoNodes/claimTemplate.js';
import { NODE_LABELS_ANNOTATION, type NodeClaim } from '../nodeClaims/types.js';
import type { NodeTypeCandidate } from '../scheduling/pickNodeType.js';
import { NODEPOOL_LABEL, NOMINATED_PODS_ANNOTATION } from './names.js';
import { formatQuantity } from './plan.js';
import { concreteNodeLabels, type DynamicPoolRef } from './poolView.js';

/** `environmentRef`: the NodeEnvironment of the tenant cluster and provider, as static claims name it. */
export function claimForPlannedNode(
  vci: VciRef, ref: DynamicPoolRef, type: NodeTypeCandidate, pods: string[], requests: Resources, environmentRef?: string,
): NodeClaim {
  const { entry, pool } = ref;
  return poolClaim(vci, entry, pool, {
    labels: { [NODEPOOL_LABEL]: pool.name },
    annotations: {
      [NODE_LABELS_ANNOTATION]: JSON.stringify(concreteNodeLabels(type, pool)),
      [NOMINATED_PODS_ANNOTATION]: JSON.stringify(pods),
    },
    spec: {
      typeRef: type.name,
      ...(environmentRef ? { environmentRef } : {}),
      desiredCapacity: Object.fromEntries(Object.entries(requests).filter(([, v]) => v > 0).map(([k, v]) => [k, formatQuantity(k, v)])),
    },
  });
}
