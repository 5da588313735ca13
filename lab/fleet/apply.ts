/** Creates a fleet's Secrets and BareMetalHosts through the Kubernetes API; objects that already exist are kept. */
import { CoreV1Api, CustomObjectsApi, type KubeConfig, type V1Secret } from '@kubernetes/client-node';
import type { Fleet } from './fleet.js';

export interface ApplyResult { created: number; existing: number }

async function inBatches<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** Applies `fleet` (Secrets first, so registration finds its credentials). Concurrency defaults to 16 requests. */
export async function applyFleet(kc: KubeConfig, fleet: Fleet, opts: { concurrency?: number } = {}): Promise<ApplyResult> {
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const result: ApplyResult = { created: 0, existing: 0 };
  const concurrency = opts.concurrency ?? 16;
  const createOrKeep = async (create: () => Promise<unknown>) => {
    try {
      await create();
      result.created++;
    } catch (e) {
      if ((e as { code?: number }).code !== 409) throw e;
      result.existing++;
    }
  };
  await inBatches(fleet.secrets, concurrency, (s) => createOrKeep(() => core.createNamespacedSecret({
    namespace: (s.metadata as { namespace: string }).namespace, body: s as V1Secret,
  })));
  await inBatches(fleet.hosts, concurrency, (h) => createOrKeep(() => custom.createNamespacedCustomObject({
    group: 'metal3.io', version: 'v1alpha1', plural: 'baremetalhosts',
    namespace: (h.metadata as { namespace: string }).namespace, body: h,
  })));
  return result;
}
