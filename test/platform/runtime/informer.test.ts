/**
 * The host's one informer against a lab API over HTTPS: while every list fails it backs off
 * exponentially (the restart delays double instead of staying at the first one), and once the API
 * answers again it syncs and the next failure starts again from the first delay.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api, type V1ConfigMap } from '@kubernetes/client-node';
import { startKubeApi, type KubeApiServer } from '../../../lab/kube/index.js';
import { INFORMER_BACKOFF, runResourceInformer, type ResourceInformer } from '../../../platform/runtime/informer.js';
import { silentLogger } from '../../../platform/observability/logger.js';
import { waitFor } from '../../support/waitFor.js';

describe("the host's informer", () => {
  let server: KubeApiServer;
  beforeAll(async () => {
    server = await startKubeApi({ loadDefaultCrds: false });
  });
  afterAll(async () => server.close());

  /** An informer of the configmaps in `default` that notes when each of its lists started. */
  function aConfigMapInformer(): { informer: ResourceInformer<V1ConfigMap>; lists: number[] } {
    const kubeConfig = server.kubeConfig();
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const lists: number[] = [];
    const informer = runResourceInformer<V1ConfigMap>({
      kubeConfig, path: '/api/v1/namespaces/default/configmaps', logger: silentLogger(),
      list: () => {
        lists.push(Date.now());
        return core.listNamespacedConfigMap({ namespace: 'default' });
      },
    });
    return { informer, lists };
  }

  it('doubles its restart delay while every list fails, then syncs once the API answers', async () => {
    server.faults.set({ errorRate: { LIST: 1 }, match: (r) => r.resource === 'configmaps' });
    const { informer, lists } = aConfigMapInformer();
    try {
      await waitFor(() => lists.length >= 5, { what: 'five failed lists', timeoutMs: 20_000 });
      const gaps = lists.slice(1, 5).map((t, i) => t - lists[i]);
      // 200, 400, 800, 1600 ms: each wait at least the backoff asked for, and each longer than the one before.
      gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(INFORMER_BACKOFF.initialMs * 2 ** i));
      expect(informer.synced()).toBe(false);
      server.faults.clear();
      await waitFor(() => informer.synced(), { what: 'the informer to sync once lists succeed', timeoutMs: 20_000 });
    } finally {
      await informer.stop();
    }
  });

  it('starts again from the first delay once a start has succeeded', async () => {
    server.faults.set({ errorRate: { LIST: 1 }, match: (r) => r.resource === 'configmaps' });
    const { informer, lists } = aConfigMapInformer();
    try {
      // Five failed lists: the next delay would be 6.4 s were it not reset by the successful start that follows.
      await waitFor(() => lists.length >= 5, { what: 'five failed lists', timeoutMs: 20_000 });
      server.faults.clear();
      await waitFor(() => informer.synced(), { what: 'the informer to sync', timeoutMs: 20_000 });
      // The watch ends and its restart gets 410 Gone, so the informer lists again, and that list fails.
      server.faults.set({ errorRate: { LIST: 1 }, goneRate: 1, match: (r) => r.resource === 'configmaps' });
      const before = lists.length;
      server.dropWatches();
      await waitFor(() => lists.length >= before + 2, { what: 'two lists after the watch is gone', timeoutMs: 20_000 });
      expect(lists[before + 1] - lists[before]).toBeLessThan(INFORMER_BACKOFF.initialMs * 16);
    } finally {
      server.faults.clear();
      await informer.stop();
    }
  });
});
