/**
 * Multi-site fleets through the lab: two connected clusters (site-a: 4 GPU + 4 CPU hosts, site-b: 3 + 2),
 * each with its own API server, Metal3 simulator and servers, registered as Cluster objects. One
 * NodeProvider has a GPU and a CPU type per site; tenants choose a site with the zone property. A site
 * outage is a cut WAN link (the site keeps running, the platform cannot reach it).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import type { World } from '../../lab/world.js';
import type { LabSite } from '../../lab/sites/labSite.js';
import { startE2eWorld, type E2eWorld } from './labWorld.js';
import { waitFor } from '../support/waitFor.js';

const LOFT = { group: 'management.loft.sh', version: 'v1' };
const BMH = { group: 'metal3.io', version: 'v1alpha1', plural: 'baremetalhosts', namespace: 'metal3-system' };
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const PROJECT = 'p-sites';
const ZONE = 'topology.kubernetes.io/zone';
const CLAIM_LABEL = 'metal3.vcluster.com/node-claim';

interface Obj {
  metadata: { name: string; uid?: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec?: { consumerRef?: { name?: string }; typeRef?: string; zone?: string; vClusterRef?: string };
  status?: { phase?: string; reason?: string; message?: string; provisioning?: { state?: string }; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

/** A tenant's static pool: `quantity` nodes of `gpuModel` in `zone` (no zone: anywhere). */
interface Pool { quantity: number; gpuModel: 'h100' | 'none'; zone?: string }

function vciValues(pool: Pool): string {
  return stringify({
    privateNodes: {
      enabled: true,
      autoNodes: [{
        provider: 'metal3-provider',
        static: [{
          name: 'pool', quantity: pool.quantity,
          nodeTypeSelector: [
            { property: 'gpu-model', value: pool.gpuModel },
            // A type with GPUs is chosen only when the claim asks for them.
            ...(pool.gpuModel === 'h100' ? [{ property: 'nvidia.com/gpu', operator: 'Exists' }] : []),
            ...(pool.zone ? [{ property: ZONE, value: pool.zone }] : []),
          ],
        }],
      }],
    },
  });
}

describe('multi-site fleets on the lab world', () => {
  let lab: E2eWorld;
  let world: World;
  let custom: CustomObjectsApi;
  let siteA: LabSite;
  let siteB: LabSite;

  beforeAll(async () => {
    lab = await startE2eWorld(PROJECT, { netris: false, sites: 2 }, 'sites-');
    ({ world, custom } = lab);
    [siteA, siteB] = world.sites;
    await waitFor(async () =>
      (await freeHosts(siteA)).length === 8 && (await freeHosts(siteB)).length === 5, { what: 'every site host available', timeoutMs: 60_000 });
  }, 90_000);

  afterAll(async () => {
    await lab?.stop();
  });

  const siteHosts = async (site: LabSite) =>
    ((await site.kubeConfig.makeApiClient(CustomObjectsApi).listNamespacedCustomObject(BMH)) as { items: Obj[] }).items;
  const freeHosts = async (site: LabSite) =>
    (await siteHosts(site)).filter((h) => h.status?.provisioning?.state === 'available' && !h.spec?.consumerRef);
  const claims = async (tenant: string) =>
    ((await custom.listNamespacedCustomObject({ ...LOFT, namespace: PROJECT, plural: 'nodeclaims' })) as { items: Obj[] }).items
      .filter((c) => c.spec?.vClusterRef === tenant);
  /** Hosts of `site` held by one of `tenant`'s claims. */
  const hostsOf = async (site: LabSite, tenant: string) => {
    const uids = new Set((await claims(tenant)).map((c) => c.metadata.uid));
    return (await siteHosts(site)).filter((h) => uids.has(h.metadata.labels?.[CLAIM_LABEL]));
  };
  const nodeType = async (name: string) => (await custom.getClusterCustomObject({ ...LOFT, plural: 'nodetypes', name })) as Obj;
  const cluster = async (name: string) => (await custom.getClusterCustomObject({ ...LOFT, plural: 'clusters', name })) as Obj;
  const provider = async () => (await custom.getClusterCustomObject({ ...LOFT, plural: 'nodeproviders', name: 'metal3-provider' })) as Obj;
  const readyNodes = async (tenant: string) => {
    const t = world.tenants.get(PROJECT, tenant);
    if (!t) return [];
    const nodes = await t.api.kubeConfig().makeApiClient(CoreV1Api).listNode();
    return nodes.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).map((n) => n.metadata!.name!);
  };
  const createTenant = (name: string, pool: Pool) => custom.createNamespacedCustomObject({
    ...LOFT, namespace: PROJECT, plural: 'virtualclusterinstances',
    body: { apiVersion: 'management.loft.sh/v1', kind: 'VirtualClusterInstance', metadata: { name }, spec: { template: { helmRelease: { values: vciValues(pool) } } } },
  });
  const scaleTenant = (name: string, pool: Pool) => custom.patchNamespacedCustomObject({
    ...LOFT, namespace: PROJECT, plural: 'virtualclusterinstances', name,
    body: { spec: { template: { helmRelease: { values: vciValues(pool) } } } },
  }, MERGE);
  const deleteTenant = (name: string) => custom.deleteNamespacedCustomObject({ ...LOFT, namespace: PROJECT, plural: 'virtualclusterinstances', name });
  const joined = (tenant: string, n: number) => waitFor(async () => {
    const available = (await claims(tenant)).filter((c) => c.status?.phase === 'Available').length;
    return available === n && (await readyNodes(tenant)).length === n;
  }, { what: `${n} joined nodes in ${tenant}`, timeoutMs: 90_000 });
  const released = (tenant: string) => waitFor(async () => (await claims(tenant)).length === 0, { what: `${tenant}'s claims gone`, timeoutMs: 90_000 });

  it('registers each site as a connected Cluster and publishes its node types with the site as zone', async () => {
    for (const site of ['site-a', 'site-b']) {
      const c = await waitFor(async () => {
        const got = await cluster(site);
        return got.status?.phase === 'Initialized' && got;
      }, { what: `Cluster ${site} initialized`, timeoutMs: 60_000 });
      expect(c.status?.conditions).toEqual([expect.objectContaining({ type: 'Ready', status: 'True' })]);
    }
    const types = await waitFor(async () => {
      const list = ((await custom.listClusterCustomObject({ ...LOFT, plural: 'nodetypes' })) as { items: (Obj & { status?: { capacity?: { total: number } } })[] }).items;
      const total = Object.fromEntries(list.map((t) => [t.metadata.name, t.status?.capacity?.total]));
      return total['metal3-provider.site-a-gpu-h100'] === 4 && total['metal3-provider.site-a-cpu'] === 4
        && total['metal3-provider.site-b-gpu-h100'] === 3 && total['metal3-provider.site-b-cpu'] === 2 && list;
    }, { what: 'NodeTypes with capacity', timeoutMs: 60_000 });
    const siteB = types.find((t) => t.metadata.name === 'metal3-provider.site-b-cpu')!;
    expect(siteB.spec?.zone).toBe('site-b');
    expect((siteB.status as { requirements?: unknown[] }).requirements).toContainEqual({ key: ZONE, operator: 'In', values: ['site-b'] });
    expect((await provider()).status?.conditions).toContainEqual(expect.objectContaining({ type: 'ClustersReady', status: 'True' }));
  }, 60_000);

  it('claims, joins and releases hosts in the site a tenant asks for', async () => {
    await createTenant('zone-a', { quantity: 1, gpuModel: 'none', zone: 'site-a' });
    await createTenant('zone-b', { quantity: 2, gpuModel: 'none', zone: 'site-b' });
    await joined('zone-a', 1);
    await joined('zone-b', 2);
    expect((await claims('zone-a')).map((c) => c.spec?.typeRef)).toEqual(['metal3-provider.site-a-cpu']);
    expect((await claims('zone-b')).map((c) => c.spec?.typeRef)).toEqual(['metal3-provider.site-b-cpu', 'metal3-provider.site-b-cpu']);
    expect((await hostsOf(siteA, 'zone-a')).map((h) => h.metadata.name)).toEqual([expect.stringMatching(/^site-a-cpu-epyc-/)]);
    expect(await hostsOf(siteB, 'zone-a')).toEqual([]);
    expect((await hostsOf(siteB, 'zone-b'))).toHaveLength(2);
    // The nodes are the claims' machines (node name = claim name).
    expect((await readyNodes('zone-b')).sort()).toEqual((await claims('zone-b')).map((c) => c.metadata.name).sort());
    // Secrets and IP reservations live beside the hosts, in the site's cluster.
    const [held] = await hostsOf(siteB, 'zone-b');
    const selector = `${CLAIM_LABEL}=${held.metadata.labels![CLAIM_LABEL]}`;
    const siteSecrets = await siteB.kubeConfig.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace: 'metal3-system', labelSelector: selector });
    const managementSecrets = await world.kubeConfig.makeApiClient(CoreV1Api).listSecretForAllNamespaces({ labelSelector: selector });
    expect(siteSecrets.items.length).toBeGreaterThan(0);
    expect(managementSecrets.items).toEqual([]);

    await deleteTenant('zone-a');
    await scaleTenant('zone-b', { quantity: 0, gpuModel: 'none', zone: 'site-b' });
    await released('zone-a');
    await released('zone-b');
    await waitFor(async () => (await freeHosts(siteA)).length === 8 && (await freeHosts(siteB)).length === 5, { what: 'hosts cleaned and free in both sites', timeoutMs: 90_000 });
    await deleteTenant('zone-b');
  }, 180_000);

  it('a clusterRef naming no Cluster, a missing or unparsable kubeconfig, or refused credentials only make that type unavailable, naming Cluster and field', async () => {
    const core = world.kubeConfig.makeApiClient(CoreV1Api);
    const token = 'tok-never-shown-9c1d2e';
    const secret = (name: string, config: string) => core.createNamespacedSecret({
      namespace: 'vcluster-platform', body: { metadata: { name }, data: { config: Buffer.from(config).toString('base64') } },
    });
    const aCluster = (name: string, secretName: string) => custom.createClusterCustomObject({
      ...LOFT, plural: 'clusters', body: { apiVersion: 'management.loft.sh/v1', kind: 'Cluster', metadata: { name }, spec: { config: { secretName, secretNamespace: 'vcluster-platform' } } },
    });
    await secret('garbled-kubeconfig', `users: [{ token: ${token}`);
    // Credentials the site refuses: site-a's API with a token it never issued (it answers 401).
    await secret('refused-kubeconfig', stringify({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'c',
      clusters: [{ name: 'c', cluster: { server: siteA.api.url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'u', user: { token } }], contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
    }));
    await aCluster('no-secret', 'absent-kubeconfig');
    await aCluster('garbled', 'garbled-kubeconfig');
    await aCluster('refused', 'refused-kubeconfig');
    const original = (await provider()) as Obj & { spec: { metal3: { nodeTypes: Record<string, unknown>[] } } };
    const extra = [
      { name: 'ghost-cpu', clusterRef: { cluster: 'ghost', namespace: 'metal3-system' } },
      { name: 'no-secret-cpu', clusterRef: { cluster: 'no-secret', namespace: 'metal3-system' } },
      { name: 'garbled-cpu', clusterRef: { cluster: 'garbled', namespace: 'metal3-system' } },
      { name: 'refused-cpu', clusterRef: { cluster: 'refused', namespace: 'metal3-system' } },
    ].map((t) => ({ ...t, resources: { cpu: '8', memory: '32Gi' }, bareMetalHosts: { selector: { matchLabels: { 'gpu-model': 'none' } } } }));
    const types = original.spec.metal3.nodeTypes;
    await custom.patchClusterCustomObject({
      ...LOFT, plural: 'nodeproviders', name: 'metal3-provider', body: { spec: { metal3: { nodeTypes: [...types, ...extra] } } },
    }, MERGE);
    try {
      const problems = {
        'ghost-cpu': { reason: 'ClusterNotFound', says: 'Cluster ghost: not found (no management.loft.sh/v1 Cluster of that name)' },
        'no-secret-cpu': { reason: 'KubeconfigMissing', says: 'Cluster no-secret: spec.config.secretName: Secret vcluster-platform/absent-kubeconfig not found' },
        'garbled-cpu': { reason: 'KubeconfigInvalid', says: 'Cluster garbled: spec.config: Secret vcluster-platform/garbled-kubeconfig key "config": is not a kubeconfig (unparsable YAML/JSON)' },
        'refused-cpu': { reason: 'CredentialsRefused', says: `Cluster refused: ${siteA.api.url} refused the kubeconfig's credentials (HTTP 401)` },
      };
      for (const [index, [type, { reason, says }]] of Object.entries(problems).entries()) {
        const t = await waitFor(async () => {
          const got = await nodeType(`metal3-provider.${type}`).catch(() => undefined);
          return got?.status?.reason === reason && got;
        }, { what: `${type} unavailable`, timeoutMs: 20_000 });
        expect(t.status?.phase).toBe('Pending');
        expect(t.status?.message).toBe(`NodeProvider metal3-provider: spec.metal3.nodeTypes[${types.length + index}].clusterRef.cluster: ${says}`);
      }
      // The other sites are not disturbed, the provider is not failed, and nothing of the Secret shows.
      expect((await nodeType('metal3-provider.site-a-cpu')).status?.phase).toBe('Available');
      expect((await nodeType('metal3-provider.site-b-cpu')).status?.phase).toBe('Available');
      const np = await provider();
      expect(np.status?.phase).toBe('Available');
      const clustersReady = np.status?.conditions?.find((c) => c.type === 'ClustersReady');
      expect(clustersReady).toMatchObject({ status: 'False', reason: 'ClustersUnavailable' });
      for (const name of ['ghost', 'no-secret', 'garbled', 'refused']) expect(clustersReady?.message).toContain(`Cluster ${name}`);
      const everything = JSON.stringify([np, await cluster('garbled'), await cluster('refused'), await nodeType('metal3-provider.garbled-cpu'),
        await core.listEventForAllNamespaces()]);
      expect(everything).not.toContain(token);
    } finally {
      await custom.patchClusterCustomObject({ ...LOFT, plural: 'nodeproviders', name: 'metal3-provider', body: { spec: { metal3: { nodeTypes: types } } } }, MERGE);
      for (const name of ['no-secret', 'garbled', 'refused']) await custom.deleteClusterCustomObject({ ...LOFT, plural: 'clusters', name });
      for (const name of ['garbled-kubeconfig', 'refused-kubeconfig']) await core.deleteNamespacedSecret({ namespace: 'vcluster-platform', name });
    }
    await waitFor(async () => {
      const list = ((await custom.listClusterCustomObject({ ...LOFT, plural: 'nodetypes' })) as { items: Obj[] }).items;
      return list.every((t) => !extra.some((e) => `metal3-provider.${e.name}` === t.metadata.name));
    }, { what: 'the extra NodeTypes removed', timeoutMs: 60_000 });
  }, 60_000);

  it('survives a site outage: its types turn unavailable, other sites go on, its claims wait and resume', async () => {
    await createTenant('held-b', { quantity: 1, gpuModel: 'h100', zone: 'site-b' });
    await joined('held-b', 1);
    const [held] = await claims('held-b');
    const [heldHost] = await hostsOf(siteB, 'held-b');

    await siteB.link.cut();
    try {
      const down = await waitFor(async () => {
        const t = await nodeType('metal3-provider.site-b-gpu-h100');
        return t.status?.conditions?.some((c) => c.type === 'Synced' && c.status === 'False') && t;
      }, { what: 'site-b types unavailable', timeoutMs: 30_000 });
      expect(down.status?.phase).toBe('Pending');
      expect(down.status?.message).toMatch(/Cluster site-b: .* is unreachable/);
      expect((await cluster('site-b')).status).toMatchObject({ phase: 'Failed', reason: 'Unreachable' });
      expect((await provider()).status?.conditions).toContainEqual(expect.objectContaining({
        type: 'ClustersReady', status: 'False', reason: 'Unreachable', message: expect.stringContaining('Cluster site-b'),
      }));
      expect((await nodeType('metal3-provider.site-a-gpu-h100')).status?.phase).toBe('Available');

      // Elsewhere claims go on: a tenant without a zone lands in site-a; one asking for site-b waits.
      await createTenant('anywhere', { quantity: 1, gpuModel: 'h100' });
      await createTenant('wants-b', { quantity: 1, gpuModel: 'h100', zone: 'site-b' });
      await joined('anywhere', 1);
      expect((await claims('anywhere'))[0].spec?.typeRef).toBe('metal3-provider.site-a-gpu-h100');
      const waiting = await waitFor(async () => {
        const [c] = await claims('wants-b');
        return c?.status?.reason === 'InsufficientCapacity' && c;
      }, { what: 'the site-b claim pending', timeoutMs: 60_000 });
      expect(waiting.spec?.typeRef).toBeUndefined();
      expect(waiting.status?.message).toContain('Cluster site-b');

      // The claim held in the lost site is neither failed nor replaced, and its release waits for the site.
      await scaleTenant('held-b', { quantity: 0, gpuModel: 'h100', zone: 'site-b' });
      await new Promise((r) => setTimeout(r, 1500));
      const during = await claims('held-b');
      expect(during.map((c) => c.metadata.uid)).toEqual([held.metadata.uid]);
      expect(during[0].status?.phase).not.toBe('Failed');
      expect((await siteHosts(siteA)).filter((h) => h.metadata.labels?.[CLAIM_LABEL] === held.metadata.uid)).toEqual([]);
      expect((await siteHosts(siteB)).find((h) => h.metadata.name === heldHost.metadata.name)?.metadata.labels?.[CLAIM_LABEL]).toBe(held.metadata.uid);
    } finally {
      await siteB.link.restore();
    }

    await waitFor(async () => (await nodeType('metal3-provider.site-b-gpu-h100')).status?.phase === 'Available', { what: 'site-b types available again', timeoutMs: 30_000 });
    expect((await cluster('site-b')).status?.phase).toBe('Initialized');
    await released('held-b');
    await joined('wants-b', 1);
    expect((await claims('wants-b'))[0].spec?.typeRef).toBe('metal3-provider.site-b-gpu-h100');
    expect(await hostsOf(siteA, 'wants-b')).toEqual([]);
    for (const tenant of ['held-b', 'anywhere', 'wants-b']) await deleteTenant(tenant);
    for (const tenant of ['anywhere', 'wants-b']) await released(tenant);
    await waitFor(async () => (await freeHosts(siteA)).length === 8 && (await freeHosts(siteB)).length === 5, { what: 'hosts free in both sites', timeoutMs: 90_000 });
  }, 240_000);
});

