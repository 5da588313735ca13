import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { stringify } from 'yaml';
import { startAutoNodesController } from '../../../platform/autoNodes/index.js';
import { nodeEnvironmentName } from '../../../platform/autoNodes/nodeEnvironment.js';
import { FakeProvider } from '../support/fakeProvider.js';
import { GROUP, PROJECT_NS, startHarness, VERSION, type Harness } from '../support/harness.js';
import { createNodeType, listClaims } from '../support/objects.js';
import { waitFor } from '../../support/waitFor.js';

interface NodeEnvironment {
  metadata: { name: string; namespace: string; ownerReferences?: { kind: string; name: string; uid: string }[] };
  spec: { providerRef?: string; vClusterRef?: string; properties?: Record<string, string>; displayName?: string };
}

function vci(name: string, quantity: number, provider = 'm3') {
  return {
    apiVersion: `${GROUP}/${VERSION}`, kind: 'VirtualClusterInstance', metadata: { name },
    spec: { template: { helmRelease: { values: stringify({ privateNodes: { enabled: true, autoNodes: [{
      provider, static: [{ name: 'workers', quantity }],
    }] } }) } } },
  };
}

describe('the NodeEnvironment of a tenant cluster and provider', () => {
  let h: Harness;
  const stops: { stop(): Promise<void> }[] = [];
  const readEnvironment = (name: string) => h.custom.getNamespacedCustomObject({
    group: GROUP, version: VERSION, namespace: PROJECT_NS, plural: 'nodeenvironments', name,
  }).then((o) => o as NodeEnvironment, () => undefined);
  const createVci = (body: object) => h.custom.createNamespacedCustomObject({
    group: GROUP, version: VERSION, namespace: PROJECT_NS, plural: 'virtualclusterinstances', body,
  }) as Promise<{ metadata: { uid: string } }>;

  beforeAll(async () => {
    h = await startHarness();
    h.providers.map.set('m3', new FakeProvider({ machines: 10 }));
    await createNodeType(h, 'm3', 'small');
    stops.push(await startAutoNodesController(h.deps()));
  });

  afterAll(async () => {
    for (const s of stops.reverse()) await s.stop();
    await h?.close();
  });

  it('is created with the first claim, owned by the cluster, and every claim of the pair names it', async () => {
    const created = await createVci(vci('env-vc', 2));
    const claims = await waitFor(async () => { const c = await listClaims(h, 'vcluster.loft.sh/vcluster=env-vc'); return c.length === 2 && c; }, { what: 'two claims' });
    const env = await readEnvironment('env-vc-m3');
    expect(env).toBeDefined();
    expect(env!.spec).toEqual({ displayName: 'env-vc on m3', providerRef: 'm3', vClusterRef: 'env-vc', properties: {} });
    expect(env!.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'VirtualClusterInstance', name: 'env-vc', uid: created.metadata.uid })]);
    expect(claims.map((c) => c.spec.environmentRef)).toEqual(['env-vc-m3', 'env-vc-m3']);
    expect(h.events.events.filter((e) => e.reason === 'NodeEnvironmentCreated' && e.ref.name === 'env-vc')).toHaveLength(1);
  });

  it('keeps an environment an operator made or edited as it is', async () => {
    await h.custom.createNamespacedCustomObject({
      group: GROUP, version: VERSION, namespace: PROJECT_NS, plural: 'nodeenvironments',
      body: { apiVersion: `${GROUP}/${VERSION}`, kind: 'NodeEnvironment', metadata: { name: 'edited-vc-m3' },
        spec: { providerRef: 'm3', properties: { 'metal3.vcluster.com/network-cidr': '10.20.0.1/24' } } },
    });
    await createVci(vci('edited-vc', 1));
    const [claim] = await waitFor(async () => { const c = await listClaims(h, 'vcluster.loft.sh/vcluster=edited-vc'); return c.length === 1 && c; }, { what: 'the claim' });
    expect(claim!.spec.environmentRef).toBe('edited-vc-m3');
    expect((await readEnvironment('edited-vc-m3'))!.spec.properties).toEqual({ 'metal3.vcluster.com/network-cidr': '10.20.0.1/24' });
    expect(h.events.events.some((e) => e.reason === 'NodeEnvironmentCreated' && e.ref.name === 'edited-vc')).toBe(false);
  });

  it('is named within 63 characters for long cluster names, still unique per pair', () => {
    const long = 'a'.repeat(60);
    const name = nodeEnvironmentName(long, 'metal3-provider');
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).not.toBe(nodeEnvironmentName(long, 'metal3-provider-2'));
    expect(nodeEnvironmentName('tenant-1', 'metal3-provider')).toBe('tenant-1-metal3-provider');
  });
});
