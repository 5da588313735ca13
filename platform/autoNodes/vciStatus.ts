/** The VirtualClusterInstance as the autoNodes controller sees it, and its condition writes. */
import { PatchStrategy, setHeaderOptions, type CustomObjectsApi, type V1ObjectMeta } from '@kubernetes/client-node';
import { GROUP, VCIS, VERSION, type Condition } from '../nodeClaims/types.js';

export interface Vci {
  metadata: V1ObjectMeta;
  spec?: { template?: { helmRelease?: { values?: string } } };
  status?: { phase?: string; conditions?: Condition[] };
}

/** Sets one condition through the status subresource; returns false when nothing changed. */
export async function setVciCondition(
  custom: CustomObjectsApi, vci: Vci, type: string, status: Condition['status'], reason: string, message: string, now: Date,
): Promise<boolean> {
  const conditions = vci.status?.conditions ?? [];
  const existing = conditions.find((c) => c.type === type);
  if (existing && existing.status === status && existing.reason === reason && existing.message === message) return false;
  const next: Condition = {
    type, status, reason, message,
    lastTransitionTime: existing && existing.status === status ? existing.lastTransitionTime : now.toISOString(),
    observedGeneration: vci.metadata.generation,
  };
  await custom.patchNamespacedCustomObjectStatus({
    group: GROUP, version: VERSION, namespace: vci.metadata.namespace!, plural: VCIS, name: vci.metadata.name!,
    body: { status: { conditions: [...conditions.filter((c) => c.type !== type), next] } },
  }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  return true;
}
