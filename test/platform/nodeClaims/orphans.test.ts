import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startOrphanCollector } from '../../../platform/orphans/index.js';
import { OrphanCollector } from '../../../platform/orphans/collector.js';
import type { NodeState } from '../../../plugin/contract.js';
import { FakeProvider } from '../support/fakeProvider.js';
import { startHarness, type Harness } from '../support/harness.js';
import { createClaim } from '../support/objects.js';
import { waitFor } from '../../support/waitFor.js';

const held = (claimUid: string, claimName: string): NodeState => ({
  claimUid, claimName, claimNamespace: 'p-test', nodeType: 'small', machine: { kind: 'FakeMachine', name: `host-${claimName}`, namespace: 'metal3' },
  phase: 'Provisioned', providerState: 'provisioned', poweredOn: true,
});

describe('orphan collection', () => {
  let h: Harness;
  let provider: FakeProvider;
  let collector: { stop(): Promise<void> } | undefined;

  beforeAll(async () => {
    h = await startHarness();
    provider = new FakeProvider({ releaseSteps: 1 });
    h.providers.map.set('m3', provider);
  });

  afterAll(async () => {
    await collector?.stop();
    await h?.close();
  });

  it('releases machines of claims that no longer exist until Released, and never touches existing claims', async () => {
    const live = await createClaim(h, { providerRef: 'm3', vClusterRef: 'vc1' });
    provider.adopt(held(live.metadata.uid!, live.metadata.name!));
    provider.adopt(held('gone-uid', 'gone'));
    // Same name as a live claim but another uid: the claim it was held for is gone.
    provider.adopt(held('old-uid', live.metadata.name!));

    collector = await startOrphanCollector(h.deps(), 50);
    await waitFor(() => !provider.nodes.has('gone-uid') && !provider.nodes.has('old-uid'), { what: 'orphans released' });
    expect(provider.nodes.has(live.metadata.uid!)).toBe(true);
    expect(provider.deleteCalls.filter((c) => c.claim.uid === live.metadata.uid)).toHaveLength(0);
    expect(provider.deleteCalls.filter((c) => c.claim.uid === 'gone-uid').length).toBeGreaterThanOrEqual(2);
    expect(h.events.events.filter((e) => e.reason === 'OrphanReleased').map((e) => e.ref.uid)).toEqual(expect.arrayContaining(['gone-uid', 'old-uid']));
  });

  it('a single pass reports what it handled and survives provider errors', async () => {
    provider.adopt(held('err-uid', 'err'));
    provider.nextDeleteError = new Error('api down');
    const once = new OrphanCollector(h.deps());
    expect(await once.collectOnce()).toEqual(['err-uid']);
    expect(provider.nodes.has('err-uid')).toBe(true);
    await waitFor(() => !provider.nodes.has('err-uid'), { what: 'released on a later pass' });
    await once.stop();
  });
});
