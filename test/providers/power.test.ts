/**
 * setPower and reboot of the Metal3 provider against the lab API: BMH `spec.online` follows the
 * claim's power state, a reboot is BMO's `reboot.metal3.io/metal3-provider` annotation, and a host
 * with `spec.disablePowerOff` refuses a power-off with an error naming the claim and field.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { isInvalidConfiguration, type NodeClaimView, type NodeProvider, type PluginActivation } from '../../plugin/contract.js';
import { startTestLab, type TestLab } from '../support/lab.js';
import { activateConfigured, CPU_HOST, providerConfig, seedPlatformObjects } from './helpers.js';
import { sleep, waitFor } from '../support/waitFor.js';
import { aClaim, JOIN } from '../support/builders.js';

describe('a claimed host’s power', () => {
  let lab: TestLab;
  let activation: PluginActivation;
  let provider: NodeProvider;
  let hostCounter = 0;

  beforeAll(async () => {
    lab = await startTestLab();
    await seedPlatformObjects(lab);
    ({ activation, provider } = await activateConfigured(lab, providerConfig(lab.namespace, { properties: { 'vcluster.com/os-image': 'ubuntu-noble' } })));
  });

  afterAll(async () => {
    await activation?.dispose();
    await lab?.close();
  });

  /** A fresh host, claimed by a fresh claim pinned to it, provisioned; `disablePowerOff` set before that if asked. */
  async function provisionedHost(opts: { disablePowerOff?: boolean } = {}): Promise<{ claim: NodeClaimView; name: string }> {
    const name = `pow-${++hostCounter}`;
    await lab.createHost(name, CPU_HOST);
    await waitFor(async () => !!(await lab.getHost(name)).status && (await provider.nodeTypes())[0].capacity.total >= hostCounter);
    await sleep(50);
    const claim = aClaim({ properties: { 'metal3.vcluster.com/server-name': name } });
    await waitFor(() => provider.createNode(claim, JOIN).then(() => true, () => false));
    if (opts.disablePowerOff) await lab.patchHost(name, { spec: { disablePowerOff: true } });
    // The status write comes after the patch on the same watch: once the provider sees it, its cache has both.
    await lab.setHostState(name, 'provisioned', { poweredOn: true });
    await waitFor(async () => (await provider.getNode(claim))?.providerState === 'provisioned', { what: `${name} provisioned in the provider's cache` });
    return { claim, name };
  }

  it('sets spec.online as asked, and writes nothing when the host already is so', async () => {
    const { claim, name } = await provisionedHost();
    await provider.setPower!(claim, 'Off');
    expect((await lab.getHost(name)).spec.online).toBe(false);
    const before = (await lab.getHost(name)).metadata.resourceVersion;
    await sleep(50);
    await provider.setPower!(claim, 'Off');
    expect((await lab.getHost(name)).metadata.resourceVersion).toBe(before);
    await provider.setPower!(claim, 'On');
    expect((await lab.getHost(name)).spec.online).toBe(true);
  });

  it('reboots through BMO’s reboot annotation, once while it is pending', async () => {
    const { claim, name } = await provisionedHost();
    await provider.reboot!(claim);
    const requested = await lab.getHost(name);
    expect(requested.metadata.annotations?.['reboot.metal3.io/metal3-provider']).toBe('{"mode":"hard"}');
    await provider.reboot!(claim);
    expect((await lab.getHost(name)).metadata.resourceVersion).toBe(requested.metadata.resourceVersion);
  });

  it('refuses to power off a host with disablePowerOff, naming the claim and spec.power.state, and leaves it on', async () => {
    const { claim, name } = await provisionedHost({ disablePowerOff: true });
    const refused = await provider.setPower!(claim, 'Off').then(() => undefined, (err: unknown) => err);
    expect(isInvalidConfiguration(refused)).toBe(true);
    expect((refused as Error).message).toBe(
      `NodeClaim ${claim.namespace}/${claim.name}: spec.power.state: BareMetalHost ${name} has disablePowerOff set: it can be rebooted, not powered off`);
    const bmh = await lab.getHost(name);
    expect(bmh.spec.online).toBe(true);
    expect(bmh.spec.disablePowerOff).toBe(true);
    await expect(provider.reboot!(claim)).resolves.toBeUndefined();
  });
});
