/**
 * The host's one informer against a lab API over HTTPS: while every list fails it backs off
 * exponentially (the restart delays double instead of staying at the first one), and once the API
 * answers again it syncs and the next failure starts again from the first delay.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api, type V1ConfigMap } from '@kubernetes/client-node';
import { startKubeApi, type KubeApiServer } from '../../../lab/kube/index.js';
import { INFORMER_BACKOFF, runResourceInformer, type ResourceInformer } from '../../../platform/runtime/informer.js';
import type { ListPage } from '../../../platform/runtime/pagedList.js';
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

  describe('paged lists', () => {
    const NAMES = ['a', 'b', 'c', 'd', 'e'];

    /** A namespace with ConfigMaps a..e, and an informer of it listing 2 per page that drops each page's `data` (it keeps only names). */
    async function aPagedInformer(namespace: string, beforePage: (page: ListPage) => void = () => undefined) {
      const kubeConfig = server.kubeConfig();
      const core = kubeConfig.makeApiClient(CoreV1Api);
      await core.createNamespace({ body: { metadata: { name: namespace } } });
      for (const name of NAMES) await core.createNamespacedConfigMap({ namespace, body: { metadata: { name }, data: { big: 'x'.repeat(1000) } } });
      const pages: { page: ListPage; syncedMeanwhile: boolean }[] = [];
      const deleted: string[] = [];
      // client-node asks for the first page before runResourceInformer returns: the informer is not assigned yet then.
      const started: { informer?: ResourceInformer<V1ConfigMap> } = {};
      const informer = runResourceInformer<V1ConfigMap>({
        kubeConfig, path: `/api/v1/namespaces/${namespace}/configmaps`, logger: silentLogger(), pageSize: 2,
        list: async (page) => {
          pages.push({ page, syncedMeanwhile: started.informer?.synced() ?? false });
          beforePage(page);
          const list = await core.listNamespacedConfigMap({ namespace, limit: page.limit, _continue: page.continue });
          for (const cm of list.items) delete cm.data;
          return list;
        },
        onChange: (cm, kind) => {
          if (kind === 'delete') deleted.push(cm.metadata!.name!);
        },
      });
      started.informer = informer;
      return { informer, pages, deleted, core };
    }
    const names = (informer: ResourceInformer<V1ConfigMap>) => informer.list().map((cm) => cm.metadata!.name!).sort();

    it('reads its list page by page, keeps what each page was shaped to, and is synced only once the last page is in', async () => {
      const { informer, pages } = await aPagedInformer('paged-informer');
      try {
        await informer.whenSynced();
        expect(pages.map((p) => p.page.limit)).toEqual([2, 2, 2]);
        expect(pages[0].page.continue).toBeUndefined();
        expect(pages.slice(1).every((p) => typeof p.page.continue === 'string')).toBe(true);
        expect(pages.map((p) => p.syncedMeanwhile)).toEqual([false, false, false]);
        expect(names(informer)).toEqual(NAMES);
        expect(informer.list().every((cm) => cm.data === undefined)).toBe(true);
      } finally {
        await informer.stop();
      }
    });

    it('removes the objects that went while its watch was gone when the paged relist comes in', async () => {
      const { informer, pages, deleted, core } = await aPagedInformer('paged-relist');
      try {
        await informer.whenSynced();
        server.faults.set({ goneRate: 1, match: (r) => r.verb === 'WATCH' && r.path.includes('/namespaces/paged-relist/') });
        server.dropWatches();
        await core.deleteNamespacedConfigMap({ name: 'b', namespace: 'paged-relist' });
        await core.deleteNamespacedConfigMap({ name: 'e', namespace: 'paged-relist' });
        await waitFor(() => deleted.length === 2, { what: 'the relist to remove b and e', timeoutMs: 20_000 });
        server.faults.clear();
        expect(deleted.sort()).toEqual(['b', 'e']);
        expect(names(informer)).toEqual(['a', 'c', 'd']);
        expect(pages.length).toBeGreaterThan(3);
        expect(pages.slice(3).some((p) => p.page.continue !== undefined)).toBe(true);
      } finally {
        server.faults.clear();
        await informer.stop();
      }
    });

    it('lists once in full when a continue token has expired, as client-go\'s pager does', async () => {
      const { informer, pages } = await aPagedInformer('paged-expired', (page) => {
        if (page.continue) server.compact();
      });
      try {
        await informer.whenSynced();
        expect(pages.map((p) => p.page)).toEqual([{ limit: 2 }, { limit: 2, continue: expect.any(String) }, {}]);
        expect(names(informer)).toEqual(NAMES);
      } finally {
        await informer.stop();
      }
    });
  });
});
