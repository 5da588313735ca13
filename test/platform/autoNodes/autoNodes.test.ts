import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { startAutoNodesController } from '../../../platform/autoNodes/index.js';
import { startNodeClaimController } from '../../../platform/nodeClaims/index.js';
import type { Condition, NodeClaim } from '../../../platform/nodeClaims/types.js';
import { FakeProvider } from '../support/fakeProvider.js';
import { GROUP, PROJECT_NS, startHarness, VERSION, type Harness } from '../support/harness.js';
import { createNodeType, joinTenantNode, listClaims } from '../support/objects.js';
import { sleep, waitFor } from '../../support/waitFor.js';

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

interface Vci { metadata: { name: string; uid: string; finalizers?: string[]; deletionTimestamp?: string }; status?: { conditions?: Condition[] } }

function values(autoNodes: unknown): string {
  return stringify({ privateNodes: { enabled: true, autoNodes } });
}

describe('autoNodes → NodeClaims against the lab API', () => {
  let h: Harness;
  let provider: FakeProvider;
  const stops: { stop(): Promise<void> }[] = [];

  const vciApi = { group: GROUP, version: VERSION, namespace: PROJECT_NS, plural: 'virtualclusterinstances' };
  const createVci = (name: string, autoNodes: unknown) => h.custom.createNamespacedCustomObject({
    ...vciApi,
    body: { apiVersion: `${GROUP}/${VERSION}`, kind: 'VirtualClusterInstance', metadata: { name }, spec: { template: { helmRelease: { values: values(autoNodes) } } } },
  });
  const setAutoNodes = (name: string, autoNodes: unknown) => h.custom.patchNamespacedCustomObject({
    ...vciApi, name, body: { spec: { template: { helmRelease: { values: values(autoNodes) } } } },
  }, MERGE);
  const getVci = async (name: string): Promise<Vci | undefined> => {
    try {
      return (await h.custom.getNamespacedCustomObject({ ...vciApi, name })) as Vci;
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    }
  };
  const claimsOf = async (vci: string, pool?: string): Promise<NodeClaim[]> =>
    (await listClaims(h, `vcluster.loft.sh/vcluster=${vci}${pool ? `,vcluster.loft.sh/node-pool=${pool}` : ''}`))
      .filter((c) => !c.metadata.deletionTimestamp);
  const pool = (name: string, quantity: number, extra: object = {}) => ({ name, quantity, ...extra });
  const alpha = (quantity: number) => [{
    provider: 'm3', properties: { 'vcluster.com/os-image': 'noble', shared: 'entry' },
    static: [pool('workers', quantity, {
      nodeTypeSelector: [{ property: 'vcluster.com/node-type', value: 'small' }],
      properties: { shared: 'pool' }, nodeLabels: { team: 'a' }, taints: [{ key: 'dedicated', value: 'a', effect: 'NoSchedule' }],
    })],
    dynamic: [{ name: 'burst' }],
  }];

  beforeAll(async () => {
    h = await startHarness();
    provider = new FakeProvider({ machines: 20 });
    h.providers.map.set('m3', provider);
    await createNodeType(h, 'm3', 'small');
    stops.push(await startNodeClaimController(h.deps()));
    stops.push(await startAutoNodesController(h.deps()));
  });

  afterAll(async () => {
    for (const s of stops.reverse()) await s.stop();
    await h?.close();
  });

  it('creates one labelled, owned NodeClaim per requested node and marks the config valid', async () => {
    await h.writeTenantSecret('alpha');
    await createVci('alpha', alpha(2));
    const claims = await waitFor(async () => { const c = await claimsOf('alpha'); return c.length === 2 && c; }, { what: '2 claims' });
    const vci = (await getVci('alpha'))!;
    for (const c of claims) {
      expect(c.metadata.name).toMatch(/^alpha-workers-/);
      expect(c.metadata.labels).toEqual({ 'vcluster.loft.sh/vcluster': 'alpha', 'vcluster.loft.sh/node-pool': 'workers', 'vcluster.loft.sh/provider': 'm3' });
      expect(c.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'VirtualClusterInstance', name: 'alpha', uid: vci.metadata.uid });
      expect(c.metadata.annotations?.['vcluster.loft.sh/node-labels']).toBe('{"team":"a"}');
      expect(c.spec).toMatchObject({
        providerRef: 'm3', vClusterRef: 'alpha',
        requirements: [{ key: 'vcluster.com/node-type', operator: 'In', values: ['small'] }],
        properties: { 'vcluster.com/os-image': 'noble', shared: 'pool' },
        taints: [{ key: 'dedicated', value: 'a', effect: 'NoSchedule' }],
      });
    }
    expect(vci.metadata.finalizers).toContain('platform.vcluster.com/node-claims');
    const cond = await waitFor(async () => (await getVci('alpha'))?.status?.conditions?.find((c) => c.type === 'AutoNodesValid'), { what: 'condition' });
    expect(cond).toMatchObject({ status: 'True', reason: 'Valid' });
    expect(cond.message).toContain('dynamic pools provisioned from pending pods: burst');
    await sleep(300);
    expect(await claimsOf('alpha')).toHaveLength(2);
  });

  it('scales down deleting not-joined claims first, and up again', async () => {
    const claims = await claimsOf('alpha', 'workers');
    const keep = claims[0];
    await waitFor(() => provider.nodes.has(keep.metadata.uid!), { what: 'keeper launched' });
    provider.setPhase(keep.metadata.uid!, 'Provisioned');
    await joinTenantNode(h, provider.nodes.get(keep.metadata.uid!)!.machine.name);
    await waitFor(async () => (await listClaims(h)).find((c) => c.metadata.uid === keep.metadata.uid)?.status?.phase === 'Available', { what: 'keeper Available' });

    // Only the quantity changes: the kept claim still matches its pool (no drift).
    await setAutoNodes('alpha', alpha(1));
    await waitFor(async () => (await listClaims(h, 'vcluster.loft.sh/vcluster=alpha')).length === 1, { what: 'one claim left', timeoutMs: 15_000 });
    expect((await claimsOf('alpha')).map((c) => c.metadata.uid)).toEqual([keep.metadata.uid]);

    await setAutoNodes('alpha', alpha(3));
    await waitFor(async () => (await claimsOf('alpha')).length === 3, { what: '3 claims' });
    await sleep(300);
    expect(await claimsOf('alpha')).toHaveLength(3);
  });

  it('converges when the quantity changes while claims are provisioning', async () => {
    await h.writeTenantSecret('beta');
    await createVci('beta', [{ provider: 'm3', static: [pool('p', 4)] }]);
    await waitFor(async () => (await claimsOf('beta')).length === 4, { what: '4 claims' });
    await setAutoNodes('beta', [{ provider: 'm3', static: [pool('p', 1)] }]);
    await setAutoNodes('beta', [{ provider: 'm3', static: [pool('p', 2)] }]);
    await waitFor(async () => (await listClaims(h, 'vcluster.loft.sh/vcluster=beta')).length === 2, { what: 'exactly 2 claims', timeoutMs: 15_000 });
    await sleep(500);
    expect(await listClaims(h, 'vcluster.loft.sh/vcluster=beta')).toHaveLength(2);
  });

  it('a restarted autoNodes controller creates no duplicate claims', async () => {
    const before = (await claimsOf('beta')).map((c) => c.metadata.uid).sort();
    const old = stops.pop()!;
    await old.stop();
    stops.push(await startAutoNodesController(h.deps()));
    await sleep(500);
    expect((await claimsOf('beta')).map((c) => c.metadata.uid).sort()).toEqual(before);
  });

  it('invalid config: condition False naming the field, a Warning event, and no change to claims', async () => {
    const before = (await claimsOf('beta')).map((c) => c.metadata.uid).sort();
    await setAutoNodes('beta', [{ provider: 'm3', static: [pool('p', -1)] }]);
    const cond = await waitFor(async () => {
      const c = (await getVci('beta'))?.status?.conditions?.find((x) => x.type === 'AutoNodesValid');
      return c?.status === 'False' && c;
    }, { what: 'AutoNodesValid=False' });
    expect(cond.reason).toBe('InvalidAutoNodesConfig');
    expect(cond.message).toContain('privateNodes.autoNodes[0].static[0].quantity: must be >= 0');
    expect(h.events.events.some((e) => e.ref.name === 'beta' && e.type === 'Warning' && e.reason === 'InvalidAutoNodesConfig'
      && e.message.includes('static[0].quantity'))).toBe(true);
    await sleep(300);
    expect((await claimsOf('beta')).map((c) => c.metadata.uid).sort()).toEqual(before);
  });

  it('deleting a VCI releases all its claims before its finalizer goes', async () => {
    const uids = (await claimsOf('alpha')).map((c) => c.metadata.uid!);
    await h.custom.deleteNamespacedCustomObject({ ...vciApi, name: 'alpha' });
    const deleting = await getVci('alpha');
    expect(deleting?.metadata.deletionTimestamp).toBeTruthy();
    await waitFor(async () => !(await getVci('alpha')), { what: 'VCI gone', timeoutMs: 20_000 });
    expect(await listClaims(h, 'vcluster.loft.sh/vcluster=alpha')).toHaveLength(0);
    for (const uid of uids) expect(provider.nodes.has(uid)).toBe(false);
  });
});
