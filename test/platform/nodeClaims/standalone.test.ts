import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FakeProvider } from '../support/fakeProvider.js';
import { startClaimControllerWorld, type ClaimControllerWorld } from '../support/claimControllerWorld.js';
import type { Harness } from '../support/harness.js';
import { createClaim, deleteClaim, getClaim, tokenSecrets } from '../support/objects.js';
import { waitFor } from '../../support/waitFor.js';

describe('a standalone machine (a NodeClaim without vClusterRef)', () => {
  let world: ClaimControllerWorld;
  let h: Harness;
  let provider: FakeProvider;

  beforeAll(async () => {
    world = await startClaimControllerWorld({ provider: { machines: 3 }, tenants: [] });
    ({ h, provider } = world);
  });

  afterAll(() => world?.stop());

  it('is provisioned with no join token, is Available once provisioned without waiting for a Node, and is released on delete', async () => {
    const claim = await createClaim(h, { providerRef: 'm3', typeRef: 'm3.small' }, 'operator-box');
    const uid = claim.metadata.uid!;
    const call = await waitFor(() => provider.createCalls.find((c) => c.claim.uid === uid), { what: 'createNode' });
    expect(call.join).toBeUndefined();
    expect(call.claim.vClusterRef).toBeUndefined();
    expect(await tokenSecrets(h, uid)).toEqual([]);

    provider.setPhase(uid, 'Provisioned');
    const available = await waitFor(async () => { const c = await getClaim(h, 'operator-box'); return c?.status?.phase === 'Available' && c; }, { what: 'Available' });
    expect(available.status?.conditions?.find((c) => c.type === 'Provisioned')?.status).toBe('True');
    expect(available.status?.conditions?.some((c) => c.type === 'Joined')).toBe(false);

    await deleteClaim(h, 'operator-box');
    await waitFor(async () => (await getClaim(h, 'operator-box')) === undefined, { what: 'claim gone' });
    expect(provider.deleteCalls.some((c) => c.claim.uid === uid)).toBe(true);
    expect(provider.nodes.has(uid)).toBe(false);
  });
});
