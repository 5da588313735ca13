/** terminationGracePeriod "Never": the drain waits for every pod, past options.drainTimeoutMs. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PatchStrategy, PolicyV1Api, setHeaderOptions } from '@kubernetes/client-node';
import { TERMINATION_GRACE_ANNOTATION } from '../../../platform/nodeClaims/types.js';
import type { FakeProvider } from '../support/fakeProvider.js';
import { startClaimControllerWorld, type ClaimControllerWorld } from '../support/claimControllerWorld.js';
import { GROUP, PROJECT_NS, VERSION, type Harness } from '../support/harness.js';
import { joinedClaim } from '../support/joined.js';
import { condition, deleteClaim, getClaim } from '../support/objects.js';
import { sleep, waitFor } from '../../support/waitFor.js';

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const DRAIN_CAP_MS = 400;

describe('terminationGracePeriod Never', () => {
  let world: ClaimControllerWorld;
  let h: Harness;
  let provider: FakeProvider;

  beforeAll(async () => {
    world = await startClaimControllerWorld({ provider: { machines: 2 }, controller: { drainTimeoutMs: DRAIN_CAP_MS } });
    ({ h, provider } = world);
  });

  afterAll(() => world?.stop());

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
