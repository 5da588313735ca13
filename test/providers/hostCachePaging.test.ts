/**
 * The host cache reads its site's BareMetalHosts in pages through the host's real `watches` (contract 2.2):
 * the host asks for 500 at a time and the cache slims each page before the next is read, so the warm-up
 * never holds the fleet's full objects at once. Driven through the lab API over real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { KubernetesObject } from '@kubernetes/client-node';
import { hardwareFor, makeFleet, profileNamed } from '../../lab/fleet/index.js';
import type { KubeObject } from '../../lab/kube/index.js';
import { silentLogger } from '../../platform/observability/logger.js';
import { pluginWatches, type PluginWatches } from '../../platform/host/pluginWatches.js';
import { LIST_PAGE_SIZE } from '../../platform/runtime/pagedList.js';
import type { ListPage, ResourceWatches, WatchRequest } from '../../plugin/contract.js';
import { HostCache } from '../../providers/metal3/hostCache.js';
import { KubeClient } from '../../providers/metal3/kube.js';
import { startTestLab, type TestLab } from '../support/lab.js';

const NAMESPACE = 'paged-hosts';
const HOSTS = LIST_PAGE_SIZE + 20;

describe('the host cache warm-up', () => {
  let lab: TestLab;
  let kube: KubeClient;
  let watches: PluginWatches;
  let cache: HostCache;
  /** Each page the host asked the cache's list for, with the size of the page the cache handed back. */
  const pages: { page?: ListPage; items: number; slim: boolean }[] = [];

  beforeAll(async () => {
    lab = await startTestLab({ namespace: NAMESPACE });
    const profile = profileNamed('cpu-epyc');
    const fleet = makeFleet(HOSTS, { 'cpu-epyc': 1 }, { namespace: NAMESPACE });
    lab.api.seed(fleet.hosts.map((host) => {
      const name = (host.metadata as { name: string }).name;
      return { ...host, status: { operationalStatus: 'OK', errorMessage: '', poweredOn: false, provisioning: { state: 'available', ID: name }, hardware: hardwareFor(profile, name) } };
    }) as unknown as KubeObject[]);
    kube = new KubeClient(lab.kc);
    watches = pluginWatches({ kubeConfig: lab.kc, logger: silentLogger(), events: { record: () => undefined }, provider: { apiVersion: 'management.loft.sh/v1', kind: 'NodeProvider', name: 'metal3-provider' } });
    const noting: ResourceWatches = {
      watch: <T extends KubernetesObject>(request: WatchRequest<T>) => watches.watch<T>({
        ...request,
        list: async (page) => {
          const list = await request.list(page);
          const slim = list.items.every((h) => !h.metadata?.managedFields && !(h as { status?: { hardware?: { storage?: unknown } } }).status?.hardware?.storage);
          pages.push({ page, items: list.items.length, slim });
          return list;
        },
      }),
    };
    cache = new HostCache(kube, noting, {}, () => undefined);
  });
  afterAll(async () => {
    await cache?.stop();
    await watches?.stop();
    kube?.dispose();
    await lab?.close();
  });

  it('lists the hosts 500 at a time, each page already slim when the next is asked for, and holds every host once synced', async () => {
    await cache.start(NAMESPACE);
    expect(pages.map((p) => p.page?.limit)).toEqual([LIST_PAGE_SIZE, LIST_PAGE_SIZE]);
    expect(pages[1].page?.continue).toEqual(expect.any(String));
    expect(pages.map((p) => p.items)).toEqual([LIST_PAGE_SIZE, HOSTS - LIST_PAGE_SIZE]);
    expect(pages.every((p) => p.slim)).toBe(true);
    expect(cache.all()).toHaveLength(HOSTS);
    expect(cache.free().size).toBe(HOSTS);
  });
});
