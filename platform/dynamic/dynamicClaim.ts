/** Pure: the NodeClaim the provisioner creates for a planned node of a dynamic pool. */
import type { Resources } from '../../common/podFit.js';
import type { VciRef } from '../autoNodes/claimTemplate.js';
import {
  GROUP, LABEL_POOL, LABEL_PROVIDER, LABEL_VCLUSTER, NODE_LABELS_ANNOTATION, TERMINATION_GRACE_ANNOTATION, VERSION, type NodeClaim,
} from '../nodeClaims/types.js';
import type { NodeTypeCandidate } from '../scheduling/pickNodeType.js';
import { NODEPOOL_LABEL, NOMINATED_PODS_ANNOTATION } from './names.js';
import { formatQuantity } from './plan.js';
import { concreteNodeLabels, type DynamicPoolRef } from './poolView.js';

export function claimForPlannedNode(
  vci: VciRef, ref: DynamicPoolRef, type: NodeTypeCandidate, pods: string[], requests: Resources,
): NodeClaim {
  const { entry, pool } = ref;
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'NodeClaim',
    metadata: {
      generateName: `${vci.name}-${pool.name}-`,
      namespace: vci.namespace,
      labels: { [LABEL_VCLUSTER]: vci.name, [LABEL_POOL]: pool.name, [LABEL_PROVIDER]: entry.provider, [NODEPOOL_LABEL]: pool.name },
      annotations: {
        [TERMINATION_GRACE_ANNOTATION]: pool.terminationGracePeriod ?? '30s',
        [NODE_LABELS_ANNOTATION]: JSON.stringify(concreteNodeLabels(type, pool)),
        [NOMINATED_PODS_ANNOTATION]: JSON.stringify(pods),
      },
      ownerReferences: [{
        apiVersion: `${GROUP}/${VERSION}`, kind: 'VirtualClusterInstance', name: vci.name, uid: vci.uid,
        controller: true, blockOwnerDeletion: true,
      }],
    },
    spec: {
      providerRef: entry.provider,
      vClusterRef: vci.name,
      typeRef: type.name,
      requirements: pool.requirements,
      properties: { ...entry.properties, ...pool.properties },
      taints: pool.taints,
      desiredCapacity: Object.fromEntries(Object.entries(requests).filter(([, v]) => v > 0).map(([k, v]) => [k, formatQuantity(k, v)])),
    },
  };
}
