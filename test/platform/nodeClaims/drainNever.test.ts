/** terminationGracePeriod "Never": the drain waits for every pod, past options.drainTimeoutMs. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PatchStrategy, PolicyV1Api, setHeaderOptions } from '@kubernetes/client-node';
import { startNodeClaimController } from '../../../platform/nodeClaims/index.js';
import { TERMINATION_GRACE_ANNOTATION } from '../../../platform/nodeClaims/types.js';
import { FakeProvider } from '../support/fakeProvider.js';
import { GROUP, PROJECT_NS, startHarness, VERSION, type Harness } from '../support/harness.js';
import { joinedClaim } from '../support/joined.js';
import { condition, createNodeType, deleteClaim, getClaim } from '../support/objects.js';
import { sleep, waitFor } from '../../support/waitFor.js';

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const DRAIN_CAP_MS = 400;

describe('terminationGracePeriod Never', () => {
  let h: Harness;
  let provider: FakeProvider;
  let controller: { stop(): Promise<void> };

  beforeAll(async () => {
    h = await startHarness();
    provider = new FakeProvider({ machines: 2 });
    h.providers.map.set('m3', provider);
    await createNodeType(h, 'm3', 'small');
    await h.writeTenantSecret('vc1');
    controller = await startNodeClaimController(h.deps({ drainTimeoutMs: DRAIN_CAP_MS }));
  });

  afterAll(async () => {
    await controller?.stop();
    await h?.close();
  });

  it('waits for the drain beyond the drain cap, and releases once the last pod may leave', async () => {
    const joined = await joinedClaim(h, provider, { providerRef: 'm3', vClusterRef: 'vc1' });
    await h.custom.patchNamespacedCustomObject({
      group: GROUP, version: VERSION, namespace: PROJECT_NS, plural: 'nodeclaims', name: joined.name,
      body: { metadata: { annotations: { [TERMINATION_GRACE_ANNOTATION]: 'Never' } } },
    }, MERGE);
    await h.tenantCore.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'db-1', labels: { app: 'db' } }, spec: { nodeName: joined.node, containers: [{ name: 'db', image: 'db' }] } } });
    await h.tenantCore.patchNamespacedPodStatus({ namespace: 'default', name: 'db-1', body: { status: { phase: 'Running' } } }, MERGE);
    const policy = h.tenant.kubeConfig().makeApiClient(PolicyV1Api);
    await policy.createNamespacedPodDisruptionBudget({
      namespace: 'default', body: { metadata: { name: 'db' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'db' } } } },
    });

    await deleteClaim(h, joined.name);
    await waitFor(async () => condition(await getClaim(h, joined.name), 'Destroyed')?.reason === 'Draining', { what: 'Draining' });
    await sleep(DRAIN_CAP_MS * 4);
    expect(condition(await getClaim(h, joined.name), 'Destroyed')?.reason).toBe('Draining');
    expect((await h.tenantCore.readNode({ name: joined.node })).metadata?.name).toBe(joined.node);
    expect(provider.deleteCalls.filter((c) => c.claim.uid === joined.uid)).toHaveLength(0);

    await policy.deleteNamespacedPodDisruptionBudget({ namespace: 'default', name: 'db' });
    await waitFor(async () => !(await getClaim(h, joined.name)), { what: 'claim released', timeoutMs: 15_000 });
    expect(h.events.reasonsFor(joined.name)).not.toContain('DrainTimeout');
    expect(h.events.reasonsFor(joined.name)).toEqual(expect.arrayContaining(['NodeDeleted', 'Released']));
  });
});
