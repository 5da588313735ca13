/** The VirtualClusterInstance as the autoNodes controller sees it, and its condition writes. */
import { PatchStrategy, setHeaderOptions, type CustomObjectsApi, type V1ObjectMeta } from '@kubernetes/client-node';
import { GROUP, VCIS, VERSION } from '../nodeClaims/types.js';
import { setCondition, type Condition } from '../runtime/conditions.js';

export interface Vci {
  metadata: V1ObjectMeta;
  spec?: { template?: { helmRelease?: { values?: string } } };
  status?: { phase?: string; conditions?: Condition[] };
}

/** Sets one condition through the status subresource; returns false when nothing changed. */
export async function setVciCondition(
  custom: CustomObjectsApi, vci: Vci, type: string, status: Condition['status'], reason: string, message: string, now: Date,
): Promise<boolean> {
  const conditions = (vci.status?.conditions ?? []).map((c) => ({ ...c }));
  if (!setCondition(conditions, { type, status, reason, message }, now, vci.metadata.generation)) return false;
  await custom.patchNamespacedCustomObjectStatus({
    group: GROUP, version: VERSION, namespace: vci.metadata.namespace!, plural: VCIS, name: vci.metadata.name!,
    body: { status: { conditions } },
  }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  return true;
}
