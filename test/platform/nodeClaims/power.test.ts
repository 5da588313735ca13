import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { FakeProvider } from '../support/fakeProvider.js';
import { startClaimControllerWorld, type ClaimControllerWorld } from '../support/claimControllerWorld.js';
import { GROUP, PROJECT_NS, VERSION, type Harness } from '../support/harness.js';
import { joinedClaim } from '../support/joined.js';
import { condition, getClaim } from '../support/objects.js';
import { sleep, waitFor } from '../../support/waitFor.js';

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

describe('a joined claim’s power, through a provider without Metal3', () => {
  let world: ClaimControllerWorld;
  let h: Harness;
  let provider: FakeProvider;
  const patchClaim = (name: string, body: object) =>
    h.custom.patchNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: PROJECT_NS, plural: 'nodeclaims', name, body }, MERGE);

  beforeAll(async () => {
    world = await startClaimControllerWorld({ tenants: ['power-vc'] });
    ({ h, provider } = world);
  });

  afterAll(() => world?.stop());

  it('powers the machine off and on as spec.power.state says, and reports it in status.power.state', async () => {
    const { name, uid } = await joinedClaim(h, provider, { providerRef: 'm3', typeRef: 'm3.small', vClusterRef: 'power-vc' });
    await patchClaim(name, { spec: { power: { state: 'Off' } } });
    await waitFor(async () => (await getClaim(h, name))?.status?.power?.state === 'Off', { what: 'status.power.state Off' });
    expect(provider.nodes.get(uid)!.poweredOn).toBe(false);
    expect(provider.powerCalls).toContainEqual({ uid, state: 'Off' });

    await patchClaim(name, { spec: { power: { state: 'On' } } });
    await waitFor(async () => (await getClaim(h, name))?.status?.power?.state === 'On', { what: 'status.power.state On' });
    expect(provider.nodes.get(uid)!.poweredOn).toBe(true);
  });

  it('hands the one-shot reboot annotation to the provider once and removes it', async () => {
    const { name, uid } = await joinedClaim(h, provider, { providerRef: 'm3', typeRef: 'm3.small', vClusterRef: 'power-vc' });
    await patchClaim(name, { metadata: { annotations: { 'machines.vcluster.com/reboot': 'true' } } });
    await waitFor(async () => (await getClaim(h, name))?.metadata.annotations?.['machines.vcluster.com/reboot'] === undefined, { what: 'reboot annotation removed' });
    await sleep(300);
    expect(provider.rebootCalls.filter((c) => c.uid === uid)).toHaveLength(1);
    expect(h.events.events).toContainEqual(expect.objectContaining({ reason: 'Rebooting', ref: expect.objectContaining({ name }) }));
  });

  it('refuses a power-off the machine does not allow with a condition naming the claim and field, and keeps it on', async () => {
    const { name, uid } = await joinedClaim(h, provider, { providerRef: 'm3', typeRef: 'm3.small', vClusterRef: 'power-vc' });
    provider.powerOffDisabled.add(uid);
    await patchClaim(name, { spec: { power: { state: 'Off' } } });
    const refused = await waitFor(async () => {
      const c = condition(await getClaim(h, name), 'PowerControlled');
      return c?.status === 'False' && c;
    }, { what: 'PowerControlled=False' });
    const message = `NodeClaim ${PROJECT_NS}/${name}: spec.power.state: machine ${provider.nodes.get(uid)!.machine.name} has power-off disabled: it can be rebooted, not powered off`;
    expect(refused).toMatchObject({ reason: 'InvalidPowerState', message });
    await sleep(300);
    expect(h.events.events.filter((e) => e.ref.name === name && e.reason === 'InvalidPowerState')).toEqual([expect.objectContaining({ type: 'Warning', message })]);
    expect(provider.nodes.get(uid)!.poweredOn).toBe(true);
    expect((await getClaim(h, name))?.status?.phase).toBe('Available');
  });
});
