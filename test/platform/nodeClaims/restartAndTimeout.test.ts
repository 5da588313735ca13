import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { FakeProvider } from '../support/fakeProvider.js';
import type { Harness } from '../support/harness.js';
import { startClaimControllerWorld, type ClaimControllerWorld } from '../support/claimControllerWorld.js';
import { condition, createClaim, deleteClaim, getClaim, joinTenantNode, tokenSecrets } from '../support/objects.js';
import { sleep, waitFor } from '../../support/waitFor.js';
import { expectClaimCondition } from '../../support/expectations.js';

describe('NodeClaim controller restart and join timeout', () => {
  let world: ClaimControllerWorld;
  let h: Harness;
  let provider: FakeProvider;

  // Each test starts its own world and the controllers it needs (none here).
  beforeEach(async () => {
    world = await startClaimControllerWorld({ provider: { releaseSteps: 2 }, controller: false });
    ({ h, provider } = world);
  });

  afterEach(() => world?.stop());

  it('a restarted controller converges without duplicate tokens or createNode calls', async () => {
    const first = await world.startController();
    const c = await createClaim(h, { providerRef: 'm3', vClusterRef: 'vc1' });
    const uid = c.metadata.uid!;
    await waitFor(async () => condition(await getClaim(h, c.metadata.name!), 'Launched')?.status === 'True', { what: 'launched' });
    await first.stop();

    await world.startController();
    provider.setPhase(uid, 'Provisioned');
    await joinTenantNode(h, provider.nodes.get(uid)!.machine.name);
    await waitFor(async () => (await getClaim(h, c.metadata.name!))?.status?.phase === 'Available', { what: 'Available after restart' });
    expect(provider.createCalls.filter((x) => x.claim.uid === uid)).toHaveLength(1);
    expect(await tokenSecrets(h, uid)).toHaveLength(1);
  });

  it('reuses the claim’s token when createNode is retried after a crash before Launched was recorded', async () => {
    await world.startController();
    const c = await createClaim(h, { providerRef: 'm3', vClusterRef: 'vc1' });
    const uid = c.metadata.uid!;
    await waitFor(() => provider.createCalls.some((x) => x.claim.uid === uid), { what: 'createNode' });
    // Clearing the conditions before the controller has written Launched would race that write (it could land
    // after the clear and keep the claim launched): wait for it, then lose it.
    await waitFor(async () => condition(await getClaim(h, c.metadata.name!), 'Launched')?.status === 'True', { what: 'Launched recorded' });
    // Simulate the crash: forget that the claim launched; the next reconcile asks the provider again.
    await h.custom.patchNamespacedCustomObjectStatus({
      group: 'management.loft.sh', version: 'v1', namespace: 'p-test', plural: 'nodeclaims', name: c.metadata.name!,
      body: { status: { conditions: [] } },
    }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    await waitFor(() => provider.createCalls.filter((x) => x.claim.uid === uid).length >= 2, { what: 'second createNode' });
    const calls = provider.createCalls.filter((x) => x.claim.uid === uid);
    expect(calls[1].join?.token).toBe(calls[0].join?.token);
    expect(await tokenSecrets(h, uid)).toHaveLength(1);
    expect(provider.nodes.size).toBe(1);
  });

  it('fails a Provisioned claim whose node never joins within joinTimeoutMs', async () => {
    await world.startController({ joinTimeoutMs: 400 });
    const c = await createClaim(h, { providerRef: 'm3', vClusterRef: 'vc1' });
    const uid = c.metadata.uid!;
    await waitFor(() => provider.nodes.has(uid), { what: 'launched' });
    provider.setPhase(uid, 'Provisioned');
    await waitFor(async () => condition(await getClaim(h, c.metadata.name!), 'Provisioned')?.status === 'True', { what: 'Provisioned' });
    const failed = await waitFor(async () => {
      const got = await getClaim(h, c.metadata.name!);
      return got?.status?.phase === 'Failed' && got;
    }, { what: 'JoinTimeout', timeoutMs: 5000 });
    expect(failed.status?.reason).toBe('JoinTimeout');
    expectClaimCondition(failed, 'Joined', { status: 'False', reason: 'JoinTimeout' });
    await sleep(200);
    expect(provider.createCalls.filter((x) => x.claim.uid === uid)).toHaveLength(1);
  });

  it('keeps calling deleteNode while the release is in progress or failed, and drops the finalizer only when Released', async () => {
    await world.startController();
    const c = await createClaim(h, { providerRef: 'm3', vClusterRef: 'vc1' });
    const uid = c.metadata.uid!;
    await waitFor(() => provider.nodes.has(uid), { what: 'launched' });
    provider.nextReleaseState = { phase: 'Failed', reason: 'DeprovisioningFailed', message: 'cleaning timed out', machine: { kind: 'FakeMachine', name: 'host-x' } };
    await deleteClaim(h, c.metadata.name!);
    const releasing = await waitFor(async () => {
      const got = await getClaim(h, c.metadata.name!);
      return condition(got, 'Destroyed')?.reason === 'DeprovisioningFailed' && got;
    }, { what: 'release failure recorded' });
    expect(releasing.metadata.finalizers).toContain('platform.vcluster.com/node-claim');
    expect(h.events.events.some((e) => e.ref.uid === uid && e.type === 'Warning' && e.reason === 'DeprovisioningFailed')).toBe(true);
    await waitFor(async () => !(await getClaim(h, c.metadata.name!)), { what: 'claim gone after Released', timeoutMs: 10_000 });
    expect(provider.deleteCalls.filter((x) => x.claim.uid === uid).length).toBeGreaterThanOrEqual(3);
    expect(provider.nodes.has(uid)).toBe(false);
  });
});
