/**
 * Cordon, drain and delete a tenant Node. Each call does one pass and reports what is left, so the
 * termination step can requeue instead of blocking a worker for the whole drain.
 */
import { PatchStrategy, setHeaderOptions, type CoreV1Api, type V1Pod } from '@kubernetes/client-node';

export async function cordonNode(core: CoreV1Api, nodeName: string): Promise<void> {
  await ignoreNotFound(core.patchNode(
    { name: nodeName, body: { spec: { unschedulable: true } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  ));
}

/** Deletes the node's evictable pods (not DaemonSet-owned, not mirror pods); returns how many remain. */
export async function evictPods(core: CoreV1Api, nodeName: string): Promise<number> {
  const all = await ignoreNotFound(core.listPodForAllNamespaces({}));
  // A tenant API that serves no pods (the lab's) has nothing to drain.
  if (!all) return 0;
  const pods = all.items.filter((p) => p.spec?.nodeName === nodeName && evictable(p));
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    await ignoreNotFound(core.deleteNamespacedPod({ name: pod.metadata!.name!, namespace: pod.metadata!.namespace! }));
  }
  const left = (await core.listPodForAllNamespaces({})).items.filter((p) => p.spec?.nodeName === nodeName && evictable(p));
  return left.length;
}

export async function deleteTenantNode(core: CoreV1Api, nodeName: string): Promise<void> {
  await ignoreNotFound(core.deleteNode({ name: nodeName }));
}

function evictable(pod: V1Pod): boolean {
  if (pod.metadata?.annotations?.['kubernetes.io/config.mirror']) return false;
  return !(pod.metadata?.ownerReferences ?? []).some((o) => o.kind === 'DaemonSet');
}

async function ignoreNotFound<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}
