import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startClaimControllerWorld, type ClaimControllerWorld } from '../support/claimControllerWorld.js';
import type { Harness } from '../support/harness.js';
import { condition, createClaim, getClaim } from '../support/objects.js';
import { setProject } from '../support/vcis.js';
import { waitFor } from '../../support/waitFor.js';

/** Longer than any wait below: only the Project's change can bring the claim back in time. */
const BACKOFF_MS = 60_000;

describe('a Project that changes', () => {
  let world: ClaimControllerWorld;
  let h: Harness;

  beforeAll(async () => {
    world = await startClaimControllerWorld({ controller: false });
    ({ h } = world);
    await setProject(h, 'test', { allowedNodeTypes: [] });
    await world.startController({ capacityBackoff: { initialMs: BACKOFF_MS, maxMs: BACKOFF_MS } });
  });

  afterAll(() => world?.stop());

  it('schedules a waiting claim as soon as its Project allows a node type, without waiting for its backoff', async () => {
    const c = await createClaim(h, { providerRef: 'm3', vClusterRef: 'vc1' });
    await waitFor(async () => condition(await getClaim(h, c.metadata.name!), 'Scheduled')?.reason === 'NodeTypeNotAllowed', { what: 'NodeTypeNotAllowed' });
    await setProject(h, 'test', { allowedNodeTypes: [{ name: 'm3.*' }] });
    const scheduled = await waitFor(async () => {
      const x = await getClaim(h, c.metadata.name!);
      return condition(x, 'Scheduled')?.status === 'True' && x;
    }, { what: 'Scheduled=True after the Project changed', timeoutMs: 5_000 });
    expect(scheduled.spec.typeRef).toBe('m3.small');
  });
});
