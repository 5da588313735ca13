import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { InvalidConfigurationError, type NodeProvider, type NodeProviderSpec, type NodeTypeView } from '../../../plugin/contract.js';
import { startKubeApi, type KubeApiServer } from '../../../lab/kube/index.js';
import { NodeTypeController } from '../../../platform/nodeTypes/index.js';
import { KubeEventRecorder } from '../../../platform/observability/events.js';
import { silentLogger } from '../../../platform/observability/logger.js';
import { REPO_ROOT } from '../host/helpers.js';
import { waitFor } from '../../support/waitFor.js';

const G = { group: 'management.loft.sh', version: 'v1' };
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** The part of a configured node type this fake serves back (the spec is data to the host). */
type TypeSpec = Omit<NodeTypeView, 'capacity' | 'properties' | 'resources'> & { properties?: Record<string, string>; resources?: Record<string, string> };

/** Serves whatever node types it was configured with; capacity is set by the test. Rejects a `forbidden` type. */
class ConfigurableProvider implements Pick<NodeProvider, 'configure' | 'nodeTypes'> {
  types: TypeSpec[] = [];
  capacity = new Map<string, { total: number; claimed: number }>();
  configureCalls = 0;
  async configure({ spec }: { spec: NodeProviderSpec }) {
    this.configureCalls += 1;
    const types = (spec.metal3 as { nodeTypes?: TypeSpec[] } | undefined)?.nodeTypes ?? [];
    const bad = types.findIndex((t) => t.name === 'forbidden');
    if (bad >= 0) throw new InvalidConfigurationError('NodeProvider/metal3-provider', `spec.metal3.nodeTypes[${bad}].name`, 'forbidden is reserved');
    this.types = types;
  }
  async nodeTypes(): Promise<NodeTypeView[]> {
    return this.types.map((t) => ({
      name: t.name, displayName: t.displayName, properties: t.properties ?? {}, resources: t.resources ?? {},
      cost: t.cost, metadata: t.metadata, capacity: this.capacity.get(t.name) ?? { total: 0, claimed: 0 },
    }));
  }
}

const SPEC = {
  properties: { 'vcluster.com/os-image': 'ubuntu-noble' },
  metal3: {
    clusterRef: { cluster: 'lab', namespace: 'metal3-system' },
    nodeTypes: [
      { name: 'gpu-h100', displayName: 'H100', properties: { 'gpu-model': 'h100' }, resources: { cpu: '8', memory: '64Gi', 'nvidia.com/gpu': '8' }, metadata: { labels: { team: 'ml' } }, bareMetalHosts: { selector: { matchLabels: { 'gpu-model': 'h100' } } } },
      { name: 'cpu', properties: { 'gpu-model': 'none', pool: 'a,b' }, resources: { cpu: '32', memory: '128Gi' }, bareMetalHosts: { selector: { matchLabels: { 'gpu-model': 'none' } } } },
    ],
  },
};

describe('NodeType controller against the lab API', () => {
  let api: KubeApiServer;
  let kc: KubeConfig;
  let custom: CustomObjectsApi;
  let controller: NodeTypeController;
  let events: KubeEventRecorder;
  const provider = new ConfigurableProvider();

  const getNodeType = (name: string) => custom.getClusterCustomObject({ ...G, plural: 'nodetypes', name }) as Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const getProvider = () => custom.getClusterCustomObject({ ...G, plural: 'nodeproviders', name: 'metal3-provider' }) as Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const setSpec = (spec: unknown) => custom.patchClusterCustomObject({ ...G, plural: 'nodeproviders', name: 'metal3-provider', body: { spec } }, MERGE);

  beforeAll(async () => {
    api = await startKubeApi();
    kc = api.kubeConfig();
    custom = kc.makeApiClient(CustomObjectsApi);
    const manifest = parse(await readFile(join(REPO_ROOT, 'manifest.yaml'), 'utf8')) as { config: { schema: Record<string, unknown> } };
    await custom.createClusterCustomObject({ ...G, plural: 'nodeproviders', body: { apiVersion: 'management.loft.sh/v1', kind: 'NodeProvider', metadata: { name: 'metal3-provider' }, spec: SPEC } });
    provider.capacity.set('gpu-h100', { total: 4, claimed: 1 });
    provider.capacity.set('cpu', { total: 2, claimed: 0 });
    const logger = silentLogger();
    events = new KubeEventRecorder({ kubeConfig: kc, logger });
    controller = new NodeTypeController({
      kubeConfig: kc,
      providers: {
        names: () => ['metal3-provider'],
        get: (name) => (name === 'metal3-provider' ? (provider as unknown as NodeProvider) : undefined),
        configSchema: () => manifest.config.schema,
      },
      events, logger, clock: { now: () => new Date() }, resyncMs: 60_000, debounceMs: 20,
    });
    await controller.start();
  });

  afterAll(async () => {
    await controller?.stop();
    await events?.stop();
    await api?.close();
  });

  it('publishes one NodeType per type with spec, managed-by label, computed cost, capacity and requirements', async () => {
    const gpu = await getNodeType('metal3-provider.gpu-h100');
    expect(gpu.metadata.labels).toEqual({ 'autoscaling.loft.sh/managed-by': 'metal3-provider', team: 'ml' });
    expect(gpu.metadata.ownerReferences[0]).toMatchObject({ kind: 'NodeProvider', name: 'metal3-provider' });
    expect(gpu.spec).toMatchObject({ providerRef: 'metal3-provider', displayName: 'H100', properties: { 'gpu-model': 'h100' }, resources: { 'nvidia.com/gpu': '8' } });
    // 8 CPU * 10 + 64Gi (68.72 GB) * 2 + 8 GPU * 10000
    expect(gpu.status.cost).toBe(Math.round(80 + (2 * 64 * 2 ** 30) / 1e9 + 80000));
    expect(gpu.status.capacity).toEqual({ total: 4, claimed: 1 });
    expect(gpu.status.phase).toBe('Available');
    expect(gpu.status.requirements).toEqual(expect.arrayContaining([
      { key: 'gpu-model', operator: 'In', values: ['h100'] },
      { key: 'vcluster.com/node-type', operator: 'In', values: ['metal3-provider.gpu-h100'] },
      { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['metal3-provider.gpu-h100'] },
      { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
      { key: 'topology.kubernetes.io/zone', operator: 'In', values: ['global'] },
      { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
    ]));
    expect(gpu.status.conditions.map((c: { type: string; status: string }) => `${c.type}=${c.status}`)).toEqual(['Synced=True', 'HasCapacity=True']);
    const cpu = await getNodeType('metal3-provider.cpu');
    expect(cpu.status.requirements).toEqual(expect.arrayContaining([{ key: 'pool', operator: 'In', values: ['a', 'b'] }]));

    const np = await getProvider();
    expect(np.status.phase).toBe('Available');
    expect(np.status.conditions).toEqual([
      expect.objectContaining({ type: 'Initialized', status: 'True' }),
      expect.objectContaining({ type: 'ClustersReady', status: 'True' }),
    ]);
  });

  it('marks a type Pending without capacity once all its hosts are claimed', async () => {
    provider.capacity.set('cpu', { total: 2, claimed: 2 });
    await controller.syncNow();
    const cpu = await getNodeType('metal3-provider.cpu');
    expect(cpu.status.phase).toBe('Pending');
    expect(cpu.status.reason).toBe('NoCapacity');
    expect(cpu.status.capacity).toEqual({ total: 2, claimed: 2 });
    expect(cpu.status.conditions.find((c: { type: string }) => c.type === 'HasCapacity')).toMatchObject({ status: 'False', reason: 'NoCapacity' });
  });

  it('republishes capacity soon after the plugin says its node types changed, without waiting for the resync', async () => {
    const settle = () => new Promise((r) => setTimeout(r, 300)); // many debounce periods
    await controller.syncNow();
    await settle();
    provider.capacity.set('gpu-h100', { total: 5, claimed: 3 });
    await settle();
    expect((await getNodeType('metal3-provider.gpu-h100')).status.capacity.total).not.toBe(5); // nothing else syncs it
    controller.requestSync(); // what PluginHost.nodeTypesChanged() lands on; the resync period here is a minute
    await waitFor(async () => (await getNodeType('metal3-provider.gpu-h100')).status.capacity.total === 5);
    expect((await getNodeType('metal3-provider.gpu-h100')).status.capacity).toEqual({ total: 5, claimed: 3 });
  });

  it('fails the NodeProvider on a spec violating the manifest schema, names the field, and leaves NodeTypes alone', async () => {
    const before = await getNodeType('metal3-provider.gpu-h100');
    const calls = provider.configureCalls;
    await setSpec({ metal3: { nodeTypes: [{ name: 'GPU_H100' }, { name: 'cpu', cost: -5 }] } });
    await waitFor(async () => (await getProvider()).status?.phase === 'Failed');
    const np = await getProvider();
    expect(np.status.reason).toBe('InvalidConfiguration');
    expect(np.status.message).toContain('spec.metal3.nodeTypes[0].name');
    expect(np.status.message).toContain('spec.metal3.nodeTypes[1].cost');
    expect(np.status.conditions[0]).toMatchObject({ type: 'Initialized', status: 'False', reason: 'InvalidConfiguration' });
    expect(provider.configureCalls).toBe(calls);

    await events.flush();
    const core = kc.makeApiClient(CoreV1Api);
    const list = await core.listNamespacedEvent({ namespace: 'default' });
    const warning = list.items.find((e) => e.reason === 'InvalidConfiguration' && e.involvedObject.name === 'metal3-provider');
    expect(warning).toMatchObject({ type: 'Warning', involvedObject: { kind: 'NodeProvider' }, source: { component: 'metal3-provider-platform' } });
    expect(warning?.message).toContain('spec.metal3.nodeTypes[0].name');

    const after = await getNodeType('metal3-provider.gpu-h100');
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  it('reports a field the provider itself rejects (InvalidConfigurationError) the same way', async () => {
    await setSpec({ metal3: { nodeTypes: [SPEC.metal3.nodeTypes[0], { name: 'forbidden' }] } });
    await waitFor(async () => ((await getProvider()).status?.message ?? '').includes('nodeTypes[1].name'));
    const np = await getProvider();
    expect(np.status.phase).toBe('Failed');
    expect(np.status.message).toContain('forbidden is reserved');
    expect(await getNodeType('metal3-provider.cpu')).toBeDefined();
  });

  it('recovers on a good spec and deletes NodeTypes of removed types', async () => {
    await setSpec({ metal3: { nodeTypes: [SPEC.metal3.nodeTypes[0]] } });
    await waitFor(async () => (await getProvider()).status?.phase === 'Available');
    await waitFor(async () => {
      const list = (await custom.listClusterCustomObject({ ...G, plural: 'nodetypes' })) as { items: { metadata: { name: string } }[] };
      return list.items.map((i) => i.metadata.name).join() === 'metal3-provider.gpu-h100';
    });
    expect((await getProvider()).status.reason).toBeUndefined();
  });

  it('lets deleting the NodeProvider garbage-collect its NodeTypes (owner references)', async () => {
    await custom.deleteClusterCustomObject({ ...G, plural: 'nodeproviders', name: 'metal3-provider' });
    await waitFor(async () => ((await custom.listClusterCustomObject({ ...G, plural: 'nodetypes' })) as { items: unknown[] }).items.length === 0);
  });
});

