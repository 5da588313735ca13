/**
 * A provider that refuses to release a deleted claim as misconfigured (InvalidConfigurationError):
 * the claim says so (Destroyed=False, reason InvalidConfiguration, the provider's message naming the
 * field, one Warning event), keeps its finalizer, and is released once the provider accepts.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InvalidConfigurationError } from '../../../plugin/contract.js';
import { CLAIM_FINALIZER } from '../../../platform/nodeClaims/types.js';
import type { FakeProvider } from '../support/fakeProvider.js';
import { startClaimControllerWorld, type ClaimControllerWorld } from '../support/claimControllerWorld.js';
import type { Harness } from '../support/harness.js';
import { condition, createClaim, deleteClaim, getClaim } from '../support/objects.js';
import { waitFor } from '../../support/waitFor.js';
import { expectClaimCondition } from '../../support/expectations.js';

describe('a release the provider refuses as misconfigured', () => {
  let world: ClaimControllerWorld;
  let h: Harness;
  let provider: FakeProvider;

  beforeAll(async () => {
    world = await startClaimControllerWorld({ provider: { machines: 3 } });
    ({ h, provider } = world);
  });

  afterAll(() => world?.stop());

  it('is shown on the claim, keeps the finalizer, and releases once the provider accepts', async () => {
    const created = await createClaim(h, { providerRef: 'm3', vClusterRef: 'vc1' });
    const name = created.metadata.name!;
    await waitFor(() => provider.nodes.has(created.metadata.uid!), { what: 'createNode' });
    let refuse = true;
    const refusal = new InvalidConfigurationError(`NodeClaim p-test/${name}`, 'spec.typeRef', 'node type "gone" is not configured in NodeProvider m3');
    provider.beforeDelete = async () => {
      if (refuse) provider.nextDeleteError = refusal;
    };
    await deleteClaim(h, name);

    const refused = await waitFor(async () => {
      const c = await getClaim(h, name);
      return condition(c, 'Destroyed')?.reason === 'InvalidConfiguration' && provider.deleteCalls.length >= 3 && c;
    }, { what: 'Destroyed=False/InvalidConfiguration after a few refusals' });
    expectClaimCondition(refused, 'Destroyed', { status: 'False', reason: 'InvalidConfiguration', message: refusal.message });
    expect(refusal.message).toContain('spec.typeRef');
    expect(refused.metadata.finalizers).toContain(CLAIM_FINALIZER);
    expect(h.events.events.filter((e) => e.ref.name === name && e.reason === 'InvalidConfiguration')).toHaveLength(1);

    refuse = false;
    await waitFor(async () => !(await getClaim(h, name)), { what: `NodeClaim ${name} released` });
    expect(provider.nodes.has(created.metadata.uid!)).toBe(false);
  });
});
