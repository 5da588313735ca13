import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { stringify } from 'yaml';
import { startAutoNodesController } from '../../../platform/autoNodes/index.js';
import type { FakeProvider } from '../support/fakeProvider.js';
import { startClaimControllerWorld, type ClaimControllerWorld } from '../support/claimControllerWorld.js';
import { GROUP, PROJECT_NS, VERSION, type Harness } from '../support/harness.js';
import { joinedClaim } from '../support/joined.js';
import { listClaims } from '../support/objects.js';
import { waitFor } from '../../support/waitFor.js';

describe('a static pool after a tenant Node is deleted', () => {
  let world: ClaimControllerWorld;
  let h: Harness;
  let provider: FakeProvider;
  const stops: { stop(): Promise<void> }[] = [];
  const live = async () => (await listClaims(h, 'vcluster.loft.sh/vcluster=pool-vc')).filter((c) => !c.metadata.deletionTimestamp);

  beforeAll(async () => {
    world = await startClaimControllerWorld({ provider: { machines: 5 }, tenants: ['pool-vc'] });
    ({ h, provider } = world);
    stops.push(await startAutoNodesController(h.deps()));
    await h.custom.createNamespacedCustomObject({
      group: GROUP, version: VERSION, namespace: PROJECT_NS, plural: 'virtualclusterinstances',
      body: {
        apiVersion: `${GROUP}/${VERSION}`, kind: 'VirtualClusterInstance', metadata: { name: 'pool-vc' },
        spec: { template: { helmRelease: { values: stringify({ privateNodes: { enabled: true, autoNodes: [{
          provider: 'm3', static: [{ name: 'workers', quantity: 1, nodeLabels: { team: 'ml' } }],
        }] } }) } } },
      },
    });
  });

  afterAll(async () => {
    for (const s of stops.reverse()) await s.stop();
    await world?.stop();
  });

  it('carries the pool’s nodeLabels onto the Node, and a deleted Node brings the pool back to its quantity with a new machine', async () => {
    const [first] = await waitFor(async () => { const c = await live(); return c.length === 1 && c; }, { what: 'the pool’s claim' });
    const joined = await joinedClaim(h, provider, { providerRef: 'm3' }, { existing: first });
    await waitFor(async () => (await h.tenantCore.readNode({ name: joined.node })).metadata?.labels?.team === 'ml', { what: 'pool label on the Node' });

    await h.tenantCore.deleteNode({ name: joined.node });
    const [replacement] = await waitFor(async () => {
      const c = await live();
      return c.length === 1 && c[0].metadata.uid !== joined.uid && c;
    }, { what: 'a replacement claim' });
    await waitFor(() => provider.deleteCalls.some((c) => c.claim.uid === joined.uid) && !provider.nodes.has(joined.uid), { what: 'old machine released' });
    await waitFor(() => provider.nodes.get(replacement.metadata.uid!), { what: 'replacement launched' });
    expect(await live()).toHaveLength(1);
  });
});
