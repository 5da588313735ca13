/**
 * Cordon, drain and delete a tenant Node. Each drain call does one pass and reports what is left, so
 * the termination step can requeue instead of blocking a worker for the whole drain. Pods leave
 * through the Eviction API, so PodDisruptionBudgets are honoured: a refused eviction (429) is
 * "retry on the next pass", and the caller decides when its deadline lets the Node go anyway.
 */
import { PatchStrategy, setHeaderOptions, type CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { DO_NOT_DISRUPT_ANNOTATION } from '../dynamic/names.js';

/** One drain pass over a node, pods named `<namespace>/<name>`. */
export interface DrainReport {
  /** Evictions the API accepted in this pass. */
  evicted: string[];
  /** Evictions refused by a PodDisruptionBudget (429), or not tried for a `karpenter.sh/do-not-disrupt` pod: retried on the next pass. */
  blocked: string[];
  /** Evictions that failed otherwise, with the API's status code (e.g. 500 when several PDBs select a pod). */
  failed: { pod: string; code: number }[];
  /** Evictable pods still on the node after the pass (including ones already terminating). */
  remaining: string[];
}

export async function cordonNode(core: CoreV1Api, nodeName: string): Promise<void> {
  await ignoreNotFound(core.patchNode(
    { name: nodeName, body: { spec: { unschedulable: true } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  ));
}

/** One eviction pass over the node's evictable pods (not DaemonSet-owned, not mirror pods). */
export async function drainPass(core: CoreV1Api, nodeName: string): Promise<DrainReport> {
  const report: DrainReport = { evicted: [], blocked: [], failed: [], remaining: [] };
  for (const pod of await evictablePodsOn(core, nodeName)) {
    if (pod.metadata?.deletionTimestamp) continue; // already on its way out
    // Karpenter: a do-not-disrupt pod is not evicted; it holds the drain until the grace period ends.
    if (pod.metadata?.annotations?.[DO_NOT_DISRUPT_ANNOTATION] === 'true') {
      report.blocked.push(podId(pod));
      continue;
    }
    const name = pod.metadata!.name!;
    const namespace = pod.metadata!.namespace!;
    try {
      await core.createNamespacedPodEviction({ name, namespace, body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace } } });
      report.evicted.push(podId(pod));
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code !== 'number') throw err; // transport failure: the whole pass is retried
      if (code === 429) report.blocked.push(podId(pod));
      else if (code !== 404) report.failed.push({ pod: podId(pod), code });
    }
  }
  report.remaining = (await evictablePodsOn(core, nodeName)).map(podId);
  return report;
}

/** One eviction pass; returns how many evictable pods remain on the node. */
export async function evictPods(core: CoreV1Api, nodeName: string): Promise<number> {
  return (await drainPass(core, nodeName)).remaining.length;
}

export async function deleteTenantNode(core: CoreV1Api, nodeName: string): Promise<void> {
  await ignoreNotFound(core.deleteNode({ name: nodeName }));
}

/** Only this node's pods, selected by the API server (never a list of every pod in the tenant). */
async function evictablePodsOn(core: CoreV1Api, nodeName: string): Promise<V1Pod[]> {
  const list = await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${nodeName}` });
  return list.items.filter(evictable);
}

function evictable(pod: V1Pod): boolean {
  if (pod.metadata?.annotations?.['kubernetes.io/config.mirror']) return false;
  return !(pod.metadata?.ownerReferences ?? []).some((o) => o.kind === 'DaemonSet');
}

const podId = (pod: V1Pod) => `${pod.metadata?.namespace}/${pod.metadata?.name}`;

async function ignoreNotFound<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}
