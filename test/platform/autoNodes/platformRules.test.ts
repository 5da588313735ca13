import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startAutoNodesController } from '../../../platform/autoNodes/index.js';
import { FakeProvider } from '../support/fakeProvider.js';
import { PROJECT_NS, startHarness, type Harness } from '../support/harness.js';
import { createVci, liveClaimsOf, setVciValues, vciCondition, vciValues } from '../support/vcis.js';
import { sleep, waitFor } from '../../support/waitFor.js';

describe('autoNodes rules the real platform enforces on a running cluster', () => {
  let h: Harness;
  let controller: { stop(): Promise<void> };
  const uids = async (vci: string) => (await liveClaimsOf(h, PROJECT_NS, vci)).map((c) => c.metadata.uid).sort();
  const refusal = (vci: string) => waitFor(async () => {
    const c = await vciCondition(h, PROJECT_NS, vci, 'AutoNodesValid');
    return c?.status === 'False' && c;
  }, { what: `${vci} AutoNodesValid=False` });

  beforeAll(async () => {
    h = await startHarness();
    h.providers.map.set('m3', new FakeProvider());
    h.providers.map.set('other', new FakeProvider());
    controller = await startAutoNodesController(h.deps());
  });

  afterAll(async () => {
    await controller?.stop();
    await h?.close();
  });

  it('refuses autoNodes once privateNodes.enabled is turned off, with a condition and an event, changing nothing', async () => {
    await createVci(h, PROJECT_NS, 'off', [{ provider: 'm3', static: [{ name: 'w', quantity: 2 }] }]);
    await waitFor(async () => (await uids('off')).length === 2, { what: '2 claims' });
    const before = await uids('off');

    await setVciValues(h, PROJECT_NS, 'off', vciValues([{ provider: 'm3', static: [{ name: 'w', quantity: 3 }] }], false));
    const c = await refusal('off');
    expect(c.message).toBe('privateNodes.enabled: must be true to use privateNodes.autoNodes (auto nodes join as private nodes)');
    expect(h.events.events).toContainEqual(expect.objectContaining({ type: 'Warning', reason: 'InvalidAutoNodesConfig', message: expect.stringContaining('VirtualClusterInstance p-test/off: privateNodes.enabled') }));
    await sleep(300);
    expect(await uids('off')).toEqual(before);
  });

  it('refuses to change the provider of a pool that has claims, with a condition and an event, changing nothing', async () => {
    await createVci(h, PROJECT_NS, 'switch', [{ provider: 'm3', static: [{ name: 'gpu', quantity: 1 }] }]);
    await waitFor(async () => (await uids('switch')).length === 1, { what: '1 claim' });
    const before = await uids('switch');

    await setVciValues(h, PROJECT_NS, 'switch', vciValues([{ provider: 'other', static: [{ name: 'gpu', quantity: 2 }] }]));
    const c = await refusal('switch');
    expect(c.message).toBe('privateNodes.autoNodes[0].provider: pool "gpu" has NodeClaims of provider "m3"; its provider cannot change to "other" while it has NodeClaims (scale it to 0 or remove it first)');
    expect(h.events.events.some((e) => e.ref.name === 'switch' && e.reason === 'InvalidAutoNodesConfig' && e.message.includes('its provider cannot change'))).toBe(true);
    await sleep(300);
    expect(await uids('switch')).toEqual(before);
    expect((await liveClaimsOf(h, PROJECT_NS, 'switch'))[0].spec.providerRef).toBe('m3');
  });

  it('lets a pool change provider once its claims are gone', async () => {
    await createVci(h, PROJECT_NS, 'moved', [{ provider: 'm3', static: [{ name: 'p', quantity: 1 }] }]);
    await waitFor(async () => (await uids('moved')).length === 1, { what: '1 claim' });
    await setVciValues(h, PROJECT_NS, 'moved', vciValues([{ provider: 'm3', static: [{ name: 'p', quantity: 0 }] }]));
    await waitFor(async () => (await uids('moved')).length === 0, { what: 'claims gone' });
    await setVciValues(h, PROJECT_NS, 'moved', vciValues([{ provider: 'other', static: [{ name: 'p', quantity: 1 }] }]));
    const [claim] = await waitFor(async () => { const c = await liveClaimsOf(h, PROJECT_NS, 'moved'); return c.length === 1 && c; }, { what: 'new claim' });
    expect(claim.spec.providerRef).toBe('other');
    expect((await vciCondition(h, PROJECT_NS, 'moved', 'AutoNodesValid'))?.status).toBe('True');
  });
});
