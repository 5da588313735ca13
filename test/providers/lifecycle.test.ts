/**
 * Activation lifecycle: configuration validation (errors name NodeProvider and field; the previous
 * good config stays), nodeTypes() capacity, restart (dispose + activate again) rebuilding from the
 * cluster, and dispose() leaving no active handles behind.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { isTransient } from '../../plugin/contract.js';
import { activate, CONTRACT_VERSION } from '../../plugin/index.js';
import { startTestLab, type TestLab } from '../support/lab.js';
import { activateConfigured, CPU_HOST, providerConfig, recordingHost, seedPlatformObjects, type Metal3ProviderConfig } from './helpers.js';
import { waitFor } from '../support/waitFor.js';
import { aClaim, JOIN } from '../support/builders.js';
import { expectRejectsWith } from '../support/expectations.js';

describe('activation lifecycle', () => {
  let lab: TestLab;

  beforeAll(async () => {
    lab = await startTestLab();
    await seedPlatformObjects(lab);
    for (const name of ['life-01', 'life-02', 'life-03']) await lab.createHost(name, { ...CPU_HOST });
    await lab.createHost('life-broken', { ...CPU_HOST });
    await lab.setHostState('life-broken', 'available', { operationalStatus: 'error', errorType: 'registration error', errorMessage: 'BMC unreachable' });
    await lab.createHost('life-busy', { ...CPU_HOST, state: 'inspecting' });
  });

  afterAll(async () => {
    await lab?.close();
  });

  it('re-exports the contract version', () => {
    expect(CONTRACT_VERSION).toMatch(/^2\./);
  });

  it('refuses a host that does not lend it watches (contract 2.1), naming the missing service', async () => {
    const { watches: _watches, ...olderHost } = recordingHost(lab.kc);
    await expect(activate(olderHost as never)).rejects.toThrow('metal3 provider startup failed: the host did not provide watches');
  });

  const badConfigs: { name: string; mutate: (c: Metal3ProviderConfig) => void; field: string }[] = [
    { name: 'missing namespace', mutate: (c) => (c.spec.metal3!.clusterRef = { namespace: '' }), field: 'spec.metal3.clusterRef.namespace' },
    { name: 'duplicate type names', mutate: (c) => c.spec.metal3!.nodeTypes.push({ name: 'cpu-node' }), field: 'spec.metal3.nodeTypes[1].name' },
    { name: 'type name not a DNS label', mutate: (c) => (c.spec.metal3!.nodeTypes[0].name = 'CPU_Node'), field: 'spec.metal3.nodeTypes[0].name' },
    {
      name: 'bad selector operator',
      mutate: (c) => c.spec.metal3!.nodeTypes.push({ name: 'other', bareMetalHosts: { selector: { matchExpressions: [{ key: 'a', operator: 'Gt' as never, values: ['1'] }] } } }),
      field: 'spec.metal3.nodeTypes[1].bareMetalHosts.selector.matchExpressions[0].operator',
    },
    { name: 'In without values', mutate: (c) => (c.spec.metal3!.nodeTypes[0].bareMetalHosts = { selector: { matchExpressions: [{ key: 'a', operator: 'In' }] } }), field: 'spec.metal3.nodeTypes[0].bareMetalHosts.selector.matchExpressions[0].values' },
    { name: 'malformed quantity', mutate: (c) => (c.spec.metal3!.nodeTypes[0].resources = { memory: '12 GB' }), field: 'spec.metal3.nodeTypes[0].resources[memory]' },
    { name: 'negative quantity', mutate: (c) => (c.spec.metal3!.nodeTypes[0].resources = { cpu: '-1' }), field: 'spec.metal3.nodeTypes[0].resources[cpu]' },
    { name: 'negative cost', mutate: (c) => (c.spec.metal3!.nodeTypes[0].cost = -1), field: 'spec.metal3.nodeTypes[0].cost' },
  ];

  it.each(badConfigs)('configure rejects $name naming NodeProvider and the field, keeping the previous config', async ({ mutate, field }) => {
    const { activation, provider } = await activateConfigured(lab);
    try {
      const bad = providerConfig(lab.namespace);
      mutate(bad);
      await expectRejectsWith(provider.configure(bad), 'InvalidConfiguration', { object: 'NodeProvider metal3-provider', field: field });
      expect((await provider.nodeTypes()).map((t) => t.name)).toEqual(['cpu-node']);
    } finally {
      await activation.dispose();
    }
  });

  it('hooks before configure() answer Transient (not configured), and nodeTypes() is empty', async () => {
    const activation = await activate(recordingHost(lab.kc));
    try {
      expect(isTransient(await activation.provider.createNode(aClaim(), JOIN).catch((e: unknown) => e))).toBe(true);
      expect(await activation.provider.nodeTypes()).toEqual([]);
      expect(await activation.provider.listNodes()).toEqual([]);
    } finally {
      await activation.dispose();
    }
  });

  it('nodeTypes() counts free + claimed matching hosts, excluding hosts in error or busy', async () => {
    const { activation, provider } = await activateConfigured(lab);
    try {
      const [type] = await provider.nodeTypes();
      expect(type).toMatchObject({ name: 'cpu-node', resources: { cpu: '16', memory: '64Gi' }, properties: { 'vcluster.com/os-image': 'ubuntu-noble' } });
      expect(type.capacity).toEqual({ total: 3, claimed: 0 });
    } finally {
      await activation.dispose();
    }
  });

  it('tells the host its node types changed when a BareMetalHost in the namespace changes', async () => {
    const { host, activation, provider } = await activateConfigured(lab);
    try {
      const quiet = host.nodeTypeChanges;
      await lab.createHost('late-cpu', CPU_HOST);
      await waitFor(async () => (await provider.nodeTypes())[0].capacity.total === 4);
      expect(host.nodeTypeChanges).toBeGreaterThan(quiet);
      const afterAdd = host.nodeTypeChanges;
      await lab.deleteHost('late-cpu');
      await waitFor(() => host.nodeTypeChanges > afterAdd);
      await waitFor(async () => (await provider.nodeTypes())[0].capacity.total === 3);
    } finally {
      await activation.dispose();
    }
  });

  it('restart: a new activation rebuilds from the cluster and continues idempotently', async () => {
    const first = await activateConfigured(lab);
    const claim = aClaim();
    const state = await first.provider.createNode(claim, JOIN);
    await first.activation.dispose();

    const second = await activateConfigured(lab);
    try {
      const before = (await lab.getHost(state.machine.name)).metadata.resourceVersion;
      expect(await second.provider.getNode(claim)).toMatchObject({ machine: { name: state.machine.name }, phase: 'Claimed', claimName: claim.name, nodeType: 'cpu-node' });
      expect((await second.provider.createNode(claim, JOIN)).machine.name).toBe(state.machine.name);
      expect((await lab.getHost(state.machine.name)).metadata.resourceVersion).toBe(before);
      expect((await second.provider.listNodes()).map((n) => n.claimUid)).toEqual([claim.uid]);
      expect((await second.provider.nodeTypes())[0].capacity).toEqual({ total: 3, claimed: 1 });
      expect((await second.provider.deleteNode(claim)).phase).toBe('Releasing');
      await lab.setHostState(state.machine.name, 'available');
      await waitFor(async () => (await second.provider.getNode(claim))?.providerState === 'available');
      expect((await second.provider.deleteNode(claim)).phase).toBe('Released');
    } finally {
      await second.activation.dispose();
    }
  });

  it('changing clusterRef.namespace restarts the cache on the new namespace', async () => {
    const { activation, provider } = await activateConfigured(lab);
    try {
      await lab.ensureNamespace('other-hosts');
      await provider.configure(providerConfig('other-hosts'));
      expect((await provider.nodeTypes())[0].capacity).toEqual({ total: 0, claimed: 0 });
      await provider.configure(providerConfig(lab.namespace));
      expect((await provider.nodeTypes())[0].capacity.total).toBe(3);
    } finally {
      await activation.dispose();
    }
  });

  it('dispose() leaves no active handles behind', async () => {
    const settle = () => new Promise((r) => setTimeout(r, 200));
    await settle();
    const before = countHandles();
    const { activation, provider } = await activateConfigured(lab);
    await provider.nodeTypes();
    expect(countHandles().total).toBeGreaterThan(before.total);
    await activation.dispose();
    // Per handle type, no more than before. The lab API in this process ends a closed watch's timers when it
    // notices the closed connection, which on a loaded machine can take longer than one settle: wait for it.
    const within = () => Object.entries(countHandles().byType).every(([kind, count]) => count <= (before.byType[kind] ?? 0));
    await waitFor(within, { what: 'handles back to the count before activation', timeoutMs: 5000 }).catch(() => undefined);
    const after = countHandles();
    for (const [kind, count] of Object.entries(after.byType)) expect({ kind, count: Math.min(count, before.byType[kind] ?? 0) }).toEqual({ kind, count });
  });
});

function countHandles(): { total: number; byType: Record<string, number> } {
  const byType: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) byType[kind] = (byType[kind] ?? 0) + 1;
  return { total: Object.values(byType).reduce((a, b) => a + b, 0), byType };
}
