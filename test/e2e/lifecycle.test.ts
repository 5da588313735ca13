/**
 * The whole lifecycle on the lab world with test timings and the real plugin: two tenants ask for
 * nodes, hosts are claimed, provisioned and join; scale-down and tenant deletion return the hosts
 * cleaned to the pool.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api, PatchStrategy, setHeaderOptions, type CustomObjectsApi } from '@kubernetes/client-node';
import type { World } from '../../lab/world.js';
import { promtoolCheckMetrics } from '../support/promtool.js';
import { startE2eWorld, type E2eWorld } from './labWorld.js';
import { waitFor } from '../support/waitFor.js';
import { vciValues } from './vci.js';

/** Waits here are long: the lab boots real servers. */
const PATIENTLY = { timeoutMs: 60_000, everyMs: 100 };

const LOFT = { group: 'management.loft.sh', version: 'v1' };
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const PROJECT = 'p-demo';

type Obj = { metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string }; status?: { phase?: string; provisioning?: { state?: string } }; spec?: { consumerRef?: unknown } };

describe('end to end on the lab world', () => {
  let lab: E2eWorld;
  let world: World;
  let custom: CustomObjectsApi;

  beforeAll(async () => {
    lab = await startE2eWorld(PROJECT);
    ({ world, custom } = lab);
  }, 60_000);

  afterAll(async () => {
    await lab?.stop();
  });

  const hosts = async () => ((await custom.listNamespacedCustomObject({ group: 'metal3.io', version: 'v1alpha1', namespace: 'metal3-system', plural: 'baremetalhosts' })) as { items: Obj[] }).items;
  const claims = async () => ((await custom.listNamespacedCustomObject({ ...LOFT, namespace: PROJECT, plural: 'nodeclaims' })) as { items: Obj[] }).items;
  const readyNodes = async (tenant: string) => {
    const t = world.tenants.get(PROJECT, tenant);
    if (!t) return 0;
    const nodes = await t.api.kubeConfig().makeApiClient(CoreV1Api).listNode();
    return nodes.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
  };
  /** The host's count of successful plugin activations so far (the first one at start, one per reload). */
  const okReloads = async () => {
    const text = await (await fetch(world.platform.metricsUrl)).text();
    return Number(/metal3_platform_plugin_reloads_total\{provider="metal3-provider",outcome="ok"\} (\d+)/.exec(text)?.[1] ?? 0);
  };
  const available = async () => (await hosts()).filter((h) => h.status?.provisioning?.state === 'available' && !h.spec?.consumerRef).length;
  const vcis = { group: LOFT.group, version: LOFT.version, namespace: PROJECT, plural: 'virtualclusterinstances' };
  /** The two tenants as the provisioning test makes them: tenant-1 two GPU nodes, tenant-2 a GPU and a CPU node. */
  const TENANTS = {
    'tenant-1': [{ name: 'gpu', quantity: 2, type: 'gpu-h100' }],
    'tenant-2': [{ name: 'gpu', quantity: 1, type: 'gpu-h100' }, { name: 'cpu', quantity: 1, type: 'cpu' }],
  };
  const createTenant = (name: keyof typeof TENANTS) => custom.createNamespacedCustomObject({
    ...vcis, body: { apiVersion: 'management.loft.sh/v1', kind: 'VirtualClusterInstance', metadata: { name }, spec: { template: { helmRelease: { values: vciValues(TENANTS[name]) } } } },
  });
  const setTenantPools = (name: string, pools: { name: string; quantity: number; type: string }[]) =>
    custom.patchNamespacedCustomObject({ ...vcis, name, body: { spec: { template: { helmRelease: { values: vciValues(pools) } } } } }, MERGE);
  const bothJoined = () => waitFor(async () => (await readyNodes('tenant-1')) === 2 && (await readyNodes('tenant-2')) === 2, { what: '4 joined nodes', ...PATIENTLY, timeoutMs: 90_000 });
  /** No tenant (deleted if there are), no claim, every host available. */
  const noTenants = async () => {
    for (const name of Object.keys(TENANTS)) await custom.deleteNamespacedCustomObject({ ...vcis, name }).catch((e: { code?: number }) => { if (e.code !== 404) throw e; });
    await waitFor(async () => (await claims()).length === 0, { what: 'no claims', ...PATIENTLY, timeoutMs: 90_000 });
    await waitFor(async () => (await available()) === 8, { what: 'all 8 hosts available', ...PATIENTLY });
  };
  /** Both tenants as created by the provisioning test (created or reset if not), their 4 nodes joined. */
  const bothTenantsJoined = async () => {
    for (const name of Object.keys(TENANTS) as (keyof typeof TENANTS)[]) {
      await createTenant(name).catch((e: { code?: number }) => { if (e.code !== 409) throw e; });
      await setTenantPools(name, TENANTS[name]);
    }
    await bothJoined();
  };

  it('publishes the NodeTypes with capacity once the fleet is inspected', async () => {
    await noTenants();
    await waitFor(async () => {
      const list = (await custom.listClusterCustomObject({ ...LOFT, plural: 'nodetypes' })) as { items: { metadata: { name: string }; status?: { capacity?: { total: number } } }[] };
      const byName = Object.fromEntries(list.items.map((t) => [t.metadata.name, t.status?.capacity?.total ?? 0]));
      return byName['metal3-provider.gpu-h100'] === 4 && byName['metal3-provider.cpu'] === 4;
    }, { what: 'NodeTypes with capacity', ...PATIENTLY });
    await waitFor(async () => (await available()) === 8, { what: 'all 8 hosts available', ...PATIENTLY });
  });

  it('provisions and joins 4 nodes for two tenants', async () => {
    await noTenants();
    const reloadsBefore = await okReloads();
    await createTenant('tenant-1');
    await createTenant('tenant-2');
    // A hot reload (what SIGHUP does) while the claims are in progress: nothing is lost or done twice.
    await waitFor(async () => (await claims()).length === 4, { what: 'claims created', ...PATIENTLY });
    const before = world.platform.providers.plugin('metal3-provider')?.versionId;
    await world.platform.reload();
    expect(world.platform.providers.plugin('metal3-provider')?.versionId).not.toBe(before);
    await bothJoined();
    // The claim turns Available on the controller's next registration pass after its Node is Ready.
    await waitFor(async () => (await claims()).filter((c) => c.status?.phase === 'Available').length === 4, { what: '4 claims Available', ...PATIENTLY });
    const list = await claims();
    expect(list).toHaveLength(4);
    expect(list.every((c) => c.status?.phase === 'Available')).toBe(true);
    expect((await hosts()).filter((h) => h.metadata.labels?.['metal3.vcluster.com/node-claim']).length).toBe(4);
    expect((await hosts()).filter((h) => h.spec?.consumerRef).length).toBe(4);

    // The claims gauge is refreshed periodically by the NodeClaim controller.
    const metrics = await waitFor(async () => {
      const text = await (await fetch(world.platform.metricsUrl)).text();
      return text.includes('metal3_platform_nodeclaims{provider="metal3-provider",phase="Available"} 4') && text;
    }, { what: 'claims gauge', ...PATIENTLY, timeoutMs: 20_000 });
    expect(metrics).toMatch(/metal3_platform_nodeclaims\{provider="metal3-provider",phase="Available"\} 4/);
    expect(metrics).toMatch(/metal3_platform_provider_calls_total\{provider="metal3-provider",method="createNode",outcome="ok"\} [4-9]/);
    expect(metrics).toContain(`metal3_platform_plugin_reloads_total{provider="metal3-provider",outcome="ok"} ${reloadsBefore + 1}`);
    // The live host's exposition passes Prometheus's own linter.
    expect(await promtoolCheckMetrics(metrics as string)).toEqual({ code: 0, output: '' });
  }, 120_000);

  it('scales tenant-1 down and deletes tenant-2: hosts are cleaned and back in the pool', async () => {
    await bothTenantsJoined();
    await setTenantPools('tenant-1', [{ name: 'gpu', quantity: 1, type: 'gpu-h100' }]);
    await custom.deleteNamespacedCustomObject({ ...vcis, name: 'tenant-2' });
    await waitFor(async () => (await claims()).length === 1, { what: 'one claim left', ...PATIENTLY, timeoutMs: 90_000 });
    await waitFor(async () => (await available()) === 7, { what: '7 hosts available again', ...PATIENTLY, timeoutMs: 90_000 });
    expect(await readyNodes('tenant-1')).toBe(1);
    await waitFor(async () => {
      const t = (await custom.getClusterCustomObject({ ...LOFT, plural: 'nodetypes', name: 'metal3-provider.gpu-h100' })) as { status: { capacity: { claimed: number } } };
      return t.status.capacity.claimed === 1;
    }, { what: 'gpu capacity claimed 1', ...PATIENTLY });
  }, 120_000);
});
