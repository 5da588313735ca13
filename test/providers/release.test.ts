/**
 * deleteNode and status mapping, with BMO's states driven by hand through the status subresource:
 * release waits for `available` before dropping the claim, restores annotations, frees IP and
 * Secrets; errors map to Failed with BMO's errorType/errorMessage.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NodeClaimView, NodeProvider, PluginActivation } from '../../plugin/contract.js';
import { startTestLab, type TestLab } from '../support/lab.js';
import { activateConfigured, CPU_HOST, providerConfig, recordingHost, seedPlatformObjects } from './helpers.js';
import { sleep, waitFor } from '../support/waitFor.js';
import { aClaim, JOIN } from '../support/builders.js';
import { expectNothingLeftFor } from '../support/expectations.js';

const CLAIM_LABEL = 'metal3.vcluster.com/node-claim';

describe('deleteNode and node state', () => {
  let lab: TestLab;
  let activation: PluginActivation;
  let provider: NodeProvider;
  let host: ReturnType<typeof recordingHost>;
  let hostCounter = 0;

  const config = (namespace: string) =>
    providerConfig(namespace, { properties: { 'vcluster.com/os-image': 'ubuntu-noble', 'metal3.vcluster.com/network-cidr': '10.40.0.1/24' } });

  beforeAll(async () => {
    lab = await startTestLab();
    await seedPlatformObjects(lab);
    ({ activation, provider, host } = await activateConfigured(lab, config(lab.namespace)));
  });

  afterAll(async () => {
    await activation?.dispose();
    await lab?.close();
  });

  /** A fresh host, claimed by a fresh claim (pinned, so tests never interfere). */
  async function claimedHost(annotations?: Record<string, string>): Promise<{ claim: NodeClaimView; name: string }> {
    const name = `rel-${++hostCounter}`;
    await lab.createHost(name, { ...CPU_HOST, annotations });
    await waitFor(async () => (await provider.nodeTypes())[0].capacity.total >= 1 && !!(await lab.getHost(name)).status);
    await sleep(50);
    const claim = aClaim({ properties: { 'metal3.vcluster.com/server-name': name } });
    await waitFor(() => provider.createNode(claim, JOIN).then(() => true, () => false));
    return { claim, name };
  }

  const stateOf = async (claim: NodeClaimView) => {
    await sleep(30); // let the informer deliver the status write
    return provider.getNode(claim);
  };

  it('maps BMO states: Provisioning, Delayed, Provisioned, and a failed provision back in available → Failed', async () => {
    const { claim, name } = await claimedHost();
    await lab.setHostState(name, 'provisioning');
    await waitFor(async () => (await provider.getNode(claim))?.phase === 'Provisioning');
    await lab.setHostState(name, 'provisioning', { operationalStatus: 'delayed' });
    await waitFor(async () => (await provider.getNode(claim))?.phase === 'Delayed');
    await lab.setHostState(name, 'provisioned', { operationalStatus: 'OK', poweredOn: true });
    await waitFor(async () => (await provider.getNode(claim))?.phase === 'Provisioned');
    expect(await stateOf(claim)).toMatchObject({ machine: { name: name }, providerState: 'provisioned', poweredOn: true, claimName: claim.name, claimNamespace: claim.namespace });

    await lab.setHostState(name, 'available', { operationalStatus: 'error', errorType: 'provisioning error', errorMessage: 'image checksum mismatch', poweredOn: false });
    await waitFor(async () => (await provider.getNode(claim))?.phase === 'Failed');
    expect(await stateOf(claim)).toMatchObject({ phase: 'Failed', reason: 'provisioning error', message: 'image checksum mismatch' });
    expect((await provider.listNodes()).map((n) => n.claimUid)).toContain(claim.uid);
  });

  it('waits for available before dropping the claim, then restores annotations and frees IP and Secrets', async () => {
    const { claim, name } = await claimedHost({ 'metal3.vcluster.com/ip-address': '192.168.100.60/24', 'metal3.vcluster.com/gateway': '192.168.100.1' });
    await lab.setHostState(name, 'provisioned', { poweredOn: true });

    expect(await provider.deleteNode(claim)).toMatchObject({ phase: 'Releasing', machine: { name: name } });
    let bmh = await lab.getHost(name);
    expect(bmh.spec.image).toBeUndefined();
    expect(bmh.spec.userData).toBeUndefined();
    expect(bmh.spec.networkData).toBeUndefined();
    expect(bmh.spec.online).toBe(false);
    expect(bmh.metadata.annotations?.['metal3.vcluster.com/releasing']).toBeDefined();
    expect(bmh.metadata.labels?.[CLAIM_LABEL]).toBe(claim.uid);
    expect(bmh.spec.consumerRef?.uid).toBe(claim.uid);

    await lab.setHostState(name, 'deprovisioning', { poweredOn: false });
    await waitFor(async () => (await provider.getNode(claim))?.providerState === 'deprovisioning');
    expect(await provider.deleteNode(claim)).toMatchObject({ phase: 'Releasing' });
    expect((await lab.getHost(name)).metadata.labels?.[CLAIM_LABEL]).toBe(claim.uid);
    expect((await provider.getNode(claim))?.phase).toBe('Releasing');

    await lab.setHostState(name, 'available');
    await waitFor(async () => (await provider.getNode(claim))?.providerState === 'available');
    expect(await provider.deleteNode(claim)).toMatchObject({ phase: 'Released', machine: { name: name } });
    bmh = await lab.getHost(name);
    expect(bmh.spec.consumerRef).toBeUndefined();
    expect(bmh.metadata.labels?.[CLAIM_LABEL]).toBeUndefined();
    expect(bmh.metadata.annotations).toMatchObject({
      'metal3.vcluster.com/ip-address': '192.168.100.60/24',
      'metal3.vcluster.com/gateway': '192.168.100.1',
      'metal3.vcluster.com/last-tenant': `${claim.namespace}/${claim.vClusterRef}`,
    });
    expect(bmh.metadata.annotations?.['metal3.vcluster.com/dns-servers']).toBeUndefined();
    expect(bmh.metadata.annotations?.['metal3.vcluster.com/releasing']).toBeUndefined();
    await expectNothingLeftFor(lab, claim.uid);
    expect(await provider.getNode(claim)).toBeUndefined();
    expect(await provider.deleteNode(claim)).toEqual({ phase: 'Released' });
    expect(host.events.recorded).toContainEqual(expect.objectContaining({ reason: 'HostReleased', object: expect.objectContaining({ uid: claim.uid }) }));
  });

  it('never sends online: false to a host whose power off was disabled while claimed: it is released powered on', async () => {
    const { claim, name } = await claimedHost();
    await lab.setHostState(name, 'provisioned', { poweredOn: true });
    await lab.patchHost(name, { spec: { disablePowerOff: true } });
    await waitFor(async () => (await provider.getNode(claim))?.providerState === 'provisioned' && (await lab.getHost(name)).spec.disablePowerOff === true);
    await sleep(50); // let the cache see the spec change

    expect(await provider.deleteNode(claim)).toMatchObject({ phase: 'Releasing', machine: { name } });
    const bmh = await lab.getHost(name);
    expect(bmh.spec.image).toBeUndefined();
    expect(bmh.spec.online).toBe(true);
    await lab.setHostState(name, 'available', { poweredOn: true });
    await waitFor(async () => (await provider.deleteNode(claim)).phase === 'Released');
    expect((await lab.getHost(name)).spec.consumerRef).toBeUndefined();
    expect(lab.api.admission.denials()).toEqual({});
  });

  it('reports a cleaning failure as Failed with BMO reason and keeps the host out of the pool; retries later', async () => {
    const { claim, name } = await claimedHost();
    await lab.setHostState(name, 'provisioned', { poweredOn: true });
    expect((await provider.deleteNode(claim)).phase).toBe('Releasing');
    await lab.setHostState(name, 'deprovisioning', { operationalStatus: 'error', errorType: 'provisioning error', errorMessage: 'cleaning failed: disk erase timed out' });
    await waitFor(async () => (await provider.getNode(claim))?.providerState === 'deprovisioning');
    expect(await provider.deleteNode(claim)).toEqual({ phase: 'Failed', machine: { kind: 'BareMetalHost', name, namespace: lab.namespace }, reason: 'provisioning error', message: 'cleaning failed: disk erase timed out' });
    expect((await lab.getHost(name)).metadata.labels?.[CLAIM_LABEL]).toBe(claim.uid);

    await lab.setHostState(name, 'available', { operationalStatus: 'OK', errorType: undefined, errorMessage: '' });
    await waitFor(async () => (await provider.getNode(claim))?.providerState === 'available');
    expect((await provider.deleteNode(claim)).phase).toBe('Released');
  });

  it('a host deleted meanwhile: cleans up the rest and returns Released', async () => {
    const { claim, name } = await claimedHost();
    expect((await provider.deleteNode(claim)).phase).toBe('Releasing');
    await lab.deleteHost(name);
    await waitFor(async () => (await provider.getNode(claim)) === undefined);
    expect((await provider.deleteNode(claim)).phase).toBe('Released');
    await expectNothingLeftFor(lab, claim.uid);
  });

  it('a claim holding nothing is Released, and stray Secrets/reservations of it are deleted', async () => {
    const claim = aClaim();
    const labels = { 'app.kubernetes.io/managed-by': 'metal3-provider', [CLAIM_LABEL]: claim.uid };
    await lab.core.createNamespacedSecret({ namespace: lab.namespace, body: { metadata: { name: 'stray-user-data', labels }, stringData: { userData: '#cloud-config\n' } } });
    await lab.core.createNamespacedConfigMap({ namespace: lab.namespace, body: { metadata: { name: 'm3p-ip-stray', labels }, data: { ip: '10.40.0.99' } } });
    expect(await provider.deleteNode(claim)).toEqual({ phase: 'Released' });
    await expectNothingLeftFor(lab, claim.uid);
  });

  it('a claim deleted before it was given a node type is Released, and stray Secrets/reservations of it are deleted', async () => {
    const claim = aClaim({ nodeType: '' });
    const labels = { 'app.kubernetes.io/managed-by': 'metal3-provider', [CLAIM_LABEL]: claim.uid };
    await lab.core.createNamespacedSecret({ namespace: lab.namespace, body: { metadata: { name: 'stray-unscheduled', labels }, stringData: { userData: '#cloud-config\n' } } });
    expect(await provider.deleteNode(claim)).toEqual({ phase: 'Released' });
    await expectNothingLeftFor(lab, claim.uid);
  });
});
