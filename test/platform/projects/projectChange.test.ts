import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startNodeClaimController } from '../../../platform/nodeClaims/index.js';
import { FakeProvider } from '../support/fakeProvider.js';
import { startHarness, type Harness } from '../support/harness.js';
import { condition, createClaim, createNodeType, getClaim } from '../support/objects.js';
import { setProject } from '../support/vcis.js';
import { waitFor } from '../../support/waitFor.js';

/** Longer than any wait below: only the Project's change can bring the claim back in time. */
const BACKOFF_MS = 60_000;

describe('a Project that changes', () => {
  let h: Harness;
  let controller: { stop(): Promise<void> };

  beforeAll(async () => {
    h = await startHarness();
    h.providers.map.set('m3', new FakeProvider());
    await createNodeType(h, 'm3', 'small');
    await h.writeTenantSecret('vc1');
    await setProject(h, 'test', { allowedNodeTypes: [] });
    controller = await startNodeClaimController(h.deps({ capacityBackoff: { initialMs: BACKOFF_MS, maxMs: BACKOFF_MS } }));
  });

  afterAll(async () => {
    await controller?.stop();
    await h?.close();
  });

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
