/**
 * The provider against the Metal3 simulator (BMO's state machine over the lab API): a claim goes
 * Claimed → Provisioning → Provisioned; release waits for deprovisioning/cleaning and returns the
 * host to `available`; a provisioning fault surfaces as Failed with BMO's errorType/errorMessage.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NodeProvider, PluginActivation } from '../../plugin/contract.js';
import { applyFleet, makeFleet } from '../../lab/fleet/index.js';
import { startTestLab, type TestLab } from '../support/lab.js';
import { activateConfigured, providerConfig, seedPlatformObjects } from './helpers.js';
import { waitFor } from '../support/waitFor.js';
import { aClaim, aNodeType, JOIN } from '../support/builders.js';
import { expectEventuallyReleased, expectNothingLeftFor } from '../support/expectations.js';

describe('createNode/deleteNode with the Metal3 simulator', () => {
  let lab: TestLab;
  let activation: PluginActivation;
  let provider: NodeProvider;

  beforeAll(async () => {
    lab = await startTestLab({ simulator: true });
    await seedPlatformObjects(lab);
    await applyFleet(lab.kc, makeFleet(3, { 'cpu-epyc': 1 }, { namespace: lab.namespace }));
    const config = providerConfig(lab.namespace, {
      properties: { 'vcluster.com/os-image': 'ubuntu-noble', 'metal3.vcluster.com/network-cidr': '10.50.0.1/24' },
      nodeTypes: [aNodeType({ resources: { cpu: '64', memory: '512Gi' }, matchLabels: { 'node-role': 'cpu-worker' } })],
    });
    ({ activation, provider } = await activateConfigured(lab, config));
    await waitFor(async () => (await provider.nodeTypes())[0].capacity.total === 3, { timeoutMs: 15000 });
  }, 30000);

  afterAll(async () => {
    await activation?.dispose();
    await lab?.close();
  });

  it('provisions, reports Provisioned, then releases through cleaning back to the pool', async () => {
    const claim = aClaim();
    const claimed = await provider.createNode(claim, JOIN);
    expect(claimed.phase).toBe('Claimed');
    await waitFor(async () => (await provider.getNode(claim))?.phase === 'Provisioned', { timeoutMs: 10000 });
    expect(await provider.getNode(claim)).toMatchObject({ machine: { name: claimed.machine.name }, providerState: 'provisioned', poweredOn: true, ip: claimed.ip });

    expect((await provider.deleteNode(claim)).phase).toBe('Releasing');
    const release = await expectEventuallyReleased(provider, claim);
    expect(release).toMatchObject({ phase: 'Released', machine: { name: claimed.machine.name } });
    const host = await lab.getHost(claimed.machine.name);
    expect(host.status?.provisioning?.state).toBe('available');
    expect(host.spec.consumerRef).toBeUndefined();
    await expectNothingLeftFor(lab, claim.uid);
  });

  it('surfaces a provisioning failure as Failed with BMO errorType and errorMessage (not replaced)', async () => {
    const claim = aClaim();
    const claimed = await provider.createNode(claim, JOIN);
    await lab.patchHost(claimed.machine.name, { metadata: { annotations: { 'lab.metal3.io/fault': JSON.stringify({ provisioningError: { message: 'Image checksum mismatch' } }) } } });
    await waitFor(async () => (await provider.getNode(claim))?.phase === 'Failed', { timeoutMs: 10000 });
    const state = await provider.getNode(claim);
    expect(state).toMatchObject({ machine: { name: claimed.machine.name }, phase: 'Failed', reason: 'provisioning error' });
    expect(state?.message).toContain('Image checksum mismatch');
    expect((await lab.getHost(claimed.machine.name)).metadata.labels?.['metal3.vcluster.com/node-claim']).toBe(claim.uid);
  });
});
