import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PatchStrategy, setHeaderOptions, type V1Node } from '@kubernetes/client-node';
import type { FakeProvider } from '../support/fakeProvider.js';
import { startClaimControllerWorld, type ClaimControllerWorld } from '../support/claimControllerWorld.js';
import type { Harness } from '../support/harness.js';
import { joinedClaim } from '../support/joined.js';
import { condition, getClaim } from '../support/objects.js';
import { waitFor } from '../../support/waitFor.js';

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

describe('a NodeClaim after its node joined', () => {
  let world: ClaimControllerWorld;
  let h: Harness;
  let provider: FakeProvider;

  const node = (name: string): Promise<V1Node> => h.tenantCore.readNode({ name });
  const setReady = (name: string, status: 'True' | 'False' | 'Unknown', since: Date) => h.tenantCore.patchNodeStatus({
    name, body: { status: { conditions: [{ type: 'Ready', status, reason: 'Heartbeat', message: status, lastTransitionTime: since.toISOString() }] } },
  }, MERGE);

  beforeAll(async () => {
    world = await startClaimControllerWorld({
      nodeTypes: {
        gpu: { properties: { 'gpu-model': 'h100', 'topology.kubernetes.io/zone': 'rack-1', 'vcluster.com/os-image': 'noble', 'not a label': 'x', owner: 'a,b' } },
      },
    });
    ({ h, provider } = world);
  });

  afterAll(() => world?.stop());

  it('deletes a joined claim whose tenant Node is deleted and releases its machine', async () => {
    const joined = await joinedClaim(h, provider, { providerRef: 'm3', vClusterRef: 'vc1' });
    await h.tenantCore.deleteNode({ name: joined.node });
    await waitFor(async () => !(await getClaim(h, joined.name)), { what: 'claim deleted after its node' });
    expect(provider.deleteCalls.map((c) => c.claim.uid)).toContain(joined.uid);
    expect(provider.nodes.has(joined.uid)).toBe(false);
    expect(h.events.events).toContainEqual(expect.objectContaining({
      type: 'Warning', reason: 'NodeDeleted', message: expect.stringContaining(`node ${joined.node} was deleted from tenant vc1`),
    }));
  });

  it('reports a NotReady node with a condition and a Warning event saying how long, and does not replace it', async () => {
    const joined = await joinedClaim(h, provider, { providerRef: 'm3', vClusterRef: 'vc1' });
    await setReady(joined.node, 'Unknown', new Date(Date.now() - 95_000));
    const notReady = await waitFor(async () => {
      const c = await getClaim(h, joined.name);
      return condition(c, 'NodeReady')?.status === 'False' && c;
    }, { what: 'NodeReady=False' });
    expect(condition(notReady, 'NodeReady')?.message).toMatch(new RegExp(`^node ${joined.node} has been NotReady for 1m3\\ds`));
    const warning = h.events.events.find((e) => e.ref.name === joined.name && e.reason === 'NodeNotReady');
    expect(warning).toMatchObject({ type: 'Warning', message: expect.stringMatching(/NotReady for 1m3\ds/) });
    expect(notReady.status?.phase).toBe('Available');
    expect(notReady.metadata.deletionTimestamp).toBeUndefined();
    expect(provider.deleteCalls.map((c) => c.claim.uid)).not.toContain(joined.uid);

    await setReady(joined.node, 'True', new Date());
    await waitFor(async () => condition(await getClaim(h, joined.name), 'NodeReady')?.status === 'True', { what: 'NodeReady=True again' });
    expect(h.events.reasonsFor(joined.name)).toContain('NodeReady');
  });

  it('sets the node type’s label properties and the claim’s taints on the Node, and its startup taints until it is Ready', async () => {
    const startupTaint = { key: 'example.com/not-initialized', effect: 'NoSchedule' };
    const joining = await joinedClaim(h, provider, {
      providerRef: 'm3', vClusterRef: 'vc1', typeRef: 'm3.gpu',
      taints: [{ key: 'dedicated', value: 'ml', effect: 'NoSchedule' }], startupTaints: [startupTaint],
    }, { ready: false });
    const registered = await waitFor(async () => {
      const n = await node(joining.node);
      return (n.spec?.taints ?? []).length === 2 && n;
    }, { what: 'taints and startup taints on the registered node' });
    expect(registered.spec?.taints).toEqual(expect.arrayContaining([
      expect.objectContaining({ key: 'dedicated', value: 'ml', effect: 'NoSchedule' }), expect.objectContaining(startupTaint),
    ]));
    expect(registered.metadata?.labels).toMatchObject({
      'vcluster.com/node-type': 'm3.gpu', 'node.kubernetes.io/instance-type': 'm3.gpu', 'kubernetes.io/os': 'linux',
      'karpenter.sh/capacity-type': 'on-demand', 'topology.kubernetes.io/zone': 'rack-1', 'gpu-model': 'h100', 'vcluster.com/os-image': 'noble',
    });
    expect(Object.keys(registered.metadata?.labels ?? {})).not.toEqual(expect.arrayContaining(['not a label']));
    expect(registered.metadata?.labels?.owner).toBeUndefined();

    await setReady(joining.node, 'True', new Date());
    await waitFor(async () => (await getClaim(h, joining.name))?.status?.phase === 'Available', { what: 'Available' });
    const ready = await waitFor(async () => {
      const n = await node(joining.node);
      return (n.spec?.taints ?? []).length === 1 && n;
    }, { what: 'startup taint removed' });
    expect(ready.spec?.taints).toEqual([expect.objectContaining({ key: 'dedicated', value: 'ml', effect: 'NoSchedule' })]);
  });

  it('puts back the labels and taints when someone removes them', async () => {
    const joined = await joinedClaim(h, provider, {
      providerRef: 'm3', vClusterRef: 'vc1', typeRef: 'm3.gpu', taints: [{ key: 'dedicated', value: 'ml', effect: 'NoExecute' }],
    });
    await waitFor(async () => (await node(joined.node)).metadata?.labels?.['gpu-model'] === 'h100', { what: 'labels set' });
    await h.tenantCore.patchNode({ name: joined.node, body: { metadata: { labels: { 'gpu-model': null } }, spec: { taints: [] } } }, MERGE);
    const repaired = await waitFor(async () => {
      const n = await node(joined.node);
      return n.metadata?.labels?.['gpu-model'] === 'h100' && (n.spec?.taints ?? []).length === 1 && n;
    }, { what: 'label and taint restored' });
    expect(repaired.spec?.taints?.[0]).toMatchObject({ key: 'dedicated', value: 'ml', effect: 'NoExecute' });
  });
});
