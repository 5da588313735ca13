/**
 * The provider with the Netris fabric, through the lab API (Metal3 simulator) and the Netris
 * emulator over real HTTP: tenants land on their own VLANs, a host gets its image only after its
 * switch ports moved, release parks the ports before Released, and a fabric fault mid-move
 * converges on retry without leaking anything.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Watch } from '@kubernetes/client-node';
import { isTransient, type NodeClaimView, type NodeProvider, type PluginActivation, type ProviderConfig } from '../../plugin/contract.js';
import { applyFleet, makeFleet } from '../../lab/fleet/index.js';
import { startNetrisEmulator, type NetrisEmulator } from '../../lab/netris/emulator.js';
import { ensureTenantServerCluster, registerFleetPorts, type TenantServerCluster } from '../../lab/netris/fleet.js';
import type { BareMetalHost } from '../../providers/metal3/types.js';
import { startTestLab, type TestLab } from '../support/lab.js';
import { activate } from '../../plugin/index.js';
import { startCrashProxy } from '../support/crash.js';
import { activateConfigured, netrisProviderConfig, recordingHost, seedPlatformObjects } from './helpers.js';
import { waitFor } from '../support/waitFor.js';
import { aClaim, JOIN } from '../support/builders.js';
import { expectEventuallyReleased, expectNothingLeftFor } from '../support/expectations.js';

const PASSWORD = 'netris-Secret-Pa55';
const SERVER_CLUSTER = 'netris.vcluster.com/server-cluster';

/** MACs of the host's NICs that LLDP saw (the ones cabled to fabric ports). */
function cabledMacs(host: BareMetalHost): string[] {
  const nics = (host.status?.hardware?.nics ?? []) as { mac?: string; lldp?: { portID?: string } }[];
  return nics.filter((n) => n.lldp?.portID && n.mac).map((n) => n.mac!.toLowerCase());
}

describe('createNode/deleteNode with the Netris fabric', () => {
  let lab: TestLab;
  let netris: NetrisEmulator;
  let activation: PluginActivation;
  let provider: NodeProvider;
  let tenantA: TenantServerCluster;
  let tenantB: TenantServerCluster;
  let config: ProviderConfig;

  const claimOf = (vCluster: string, serverCluster: string): NodeClaimView =>
    aClaim({ vClusterRef: vCluster, properties: { [SERVER_CLUSTER]: serverCluster } });

  /** Where the host's cabled ports are now, as the emulator sees them. */
  const portsOfHost = (host: BareMetalHost) => {
    const macs = cabledMacs(host);
    return netris.listPorts().filter((p) => p.mac && macs.includes(p.mac));
  };

  const releaseFully = (claim: NodeClaimView) => expectEventuallyReleased(provider, claim, 15_000);

  beforeAll(async () => {
    lab = await startTestLab({ simulator: true });
    await seedPlatformObjects(lab);
    const fleet = makeFleet(4, { 'cpu-epyc': 1 }, { namespace: lab.namespace });
    netris = await startNetrisEmulator({ username: 'admin', password: PASSWORD, applyDelayMs: 30 });
    expect(registerFleetPorts(netris, fleet.hosts)).toHaveLength(8);
    tenantA = ensureTenantServerCluster(netris, 'p-default/tenant-a', 0);
    tenantB = ensureTenantServerCluster(netris, 'p-default/tenant-b', 1);
    config = await netrisProviderConfig(lab, netris.url, PASSWORD);
    await applyFleet(lab.kc, fleet);
    ({ activation, provider } = await activateConfigured(lab, config));
    await waitFor(async () => (await provider.nodeTypes())[0]?.capacity.total === 4, { timeoutMs: 15000 });
  }, 30000);

  afterAll(async () => {
    await activation?.dispose();
    await netris?.close();
    await lab?.close();
  });

  it('puts two tenants on their own VLANs, writes the image only after the ports moved, and parks them before Released', async () => {
    expect(tenantA).toMatchObject({ name: 'p-default-tenant-a', vlanId: 100, subnet: '10.100.0.0/24' });
    expect(tenantB).toMatchObject({ name: 'p-default-tenant-b', vlanId: 200, subnet: '10.101.0.0/24' });
    // Every BMH write, with where its ports were at that moment; slow port moves widen any wrong-order window.
    const seen: { host: string; image: boolean; reserved: boolean; portsIn: string[] }[] = [];
    const watch = await new Watch(lab.kc).watch(`/apis/metal3.io/v1alpha1/namespaces/${lab.namespace}/baremetalhosts`, {},
      (_type, obj: BareMetalHost) => seen.push({
        host: obj.metadata.name,
        image: !!obj.spec.image,
        reserved: !!obj.spec.consumerRef,
        portsIn: portsOfHost(obj).map((p) => (p.status === 'active' ? p.network : 'moving')),
      }),
      () => undefined);
    netris.setFault({ latencyMs: 150 });
    const claimA = claimOf('tenant-a', tenantA.name);
    const claimB = claimOf('tenant-b', tenantB.name);
    try {
      const [a, b] = await Promise.all([provider.createNode(claimA, JOIN), provider.createNode(claimB, JOIN)]);
      netris.setFault();
      const hostA = await lab.getHost(a.machine.name);
      const hostB = await lab.getHost(b.machine.name);
      expect(portsOfHost(hostA)).toEqual([expect.objectContaining({ network: tenantA.name, vlanId: 100 }), expect.objectContaining({ network: tenantA.name, vlanId: 100 })]);
      expect(portsOfHost(hostB).map((p) => [p.network, p.vlanId])).toEqual([[tenantB.name, 200], [tenantB.name, 200]]);
      expect(a.ip).toMatch(/^10\.100\.0\.\d+$/);
      expect(b.ip).toMatch(/^10\.101\.0\.\d+$/);

      const networkData = await lab.core.readNamespacedSecret({ namespace: lab.namespace, name: hostA.spec.networkData!.name });
      const text = Buffer.from(networkData.data!.networkData, 'base64').toString();
      expect(text).toContain(a.ip);
      expect(text).toContain('10.100.0.1');

      const [macA] = cabledMacs(hostA);
      const [macB] = cabledMacs(hostB);
      expect(netris.canReach(macA, `tenant:${tenantA.name}`)).toBe(true);
      expect(netris.canReach(macA, `tenant:${tenantB.name}`)).toBe(false);
      expect(netris.canReach(macA, macB)).toBe(false);
      expect(netris.canReach(macB, macA)).toBe(false);

      await waitFor(async () => (await provider.getNode(claimA))?.phase === 'Provisioned', { timeoutMs: 10000 });
      for (const [host, network] of [[a.machine.name, tenantA.name], [b.machine.name, tenantB.name]]) {
        const writes = seen.filter((s) => s.host === host);
        const firstImage = writes.findIndex((s) => s.image);
        expect(firstImage).toBeGreaterThan(0);
        expect(writes.slice(0, firstImage).some((s) => s.reserved && !s.image)).toBe(true);
        expect(writes[firstImage].portsIn).toEqual([network, network]);
      }

      // The host records its network's VLAN for views (the dashboard) while it is in the tenant network.
      expect((await lab.getHost(a.machine.name)).metadata.annotations?.['metal3.vcluster.com/netris-vlan']).toBe(String(tenantA.vlanId));
      const released = await releaseFully(claimA);
      expect(released).toMatchObject({ phase: 'Released', machine: { name: a.machine.name } });
      expect(portsOfHost(hostA).map((p) => [p.network, p.status])).toEqual([['parking-lot', 'active'], ['parking-lot', 'active']]);
      expect(netris.canReach(macA, 'provisioning')).toBe(true);
      expect((await lab.getHost(a.machine.name)).metadata.annotations?.['metal3.vcluster.com/netris-server-cluster']).toBeUndefined();
      expect((await lab.getHost(a.machine.name)).metadata.annotations?.['metal3.vcluster.com/netris-vlan']).toBeUndefined();
      await expectNothingLeftFor(lab, claimA.uid);
      await releaseFully(claimB);
      await expectNothingLeftFor(lab, claimB.uid);
      expect(netris.portsOf(tenantB.name)).toEqual([]);
    } finally {
      watch.abort();
      netris.setFault();
    }
  }, 40000);

  it('an uncontended claim makes 4 API writes: IP reservation, data Secret, reserve, configure (plus the fabric calls)', async () => {
    const proxy = await startCrashProxy({ target: lab.api });
    const counted = await activate(recordingHost(proxy.kubeConfig));
    const claim = claimOf('tenant-a', tenantA.name);
    let writes: string[] = [];
    try {
      await counted.provider.configure(config);
      await counted.provider.createNode(claim, JOIN);
      writes = proxy.writes.map((w) => `${w.method} ${/namespaces\/[^/]+\/([^/?]+)/.exec(w.path)?.[1]} ${w.status}`);
    } finally {
      await counted.dispose();
      await proxy.close();
    }
    await waitFor(async () => (await provider.getNode(claim))?.phase === 'Provisioned', { timeoutMs: 15000 });
    await releaseFully(claim);
    await expectNothingLeftFor(lab, claim.uid);
    expect(writes).toEqual(['POST configmaps 201', 'POST secrets 201', 'PUT baremetalhosts 200', 'PUT baremetalhosts 200']);
  });

  it('answers a fabric fault mid-move with TransientError, keeps the reservation offline, and converges on retry', async () => {
    const claim = claimOf('tenant-a', tenantA.name);
    netris.setFault({ afterMoves: 1, failNext: 1 });
    const err = await provider.createNode(claim, JOIN).then(() => undefined, (e: unknown) => e);
    netris.setFault();
    expect(isTransient(err)).toBe(true);
    const reserved = (await provider.listNodes()).find((n) => n.claimUid === claim.uid);
    expect(reserved).toBeDefined();
    const host = await lab.getHost(reserved!.machine.name);
    expect(host.spec).toMatchObject({ online: false });
    expect(host.spec.image).toBeUndefined();
    expect(portsOfHost(host).map((p) => p.network)).toEqual(['parking-lot', 'parking-lot']);

    const state = await provider.createNode(claim, JOIN);
    expect(state.machine.name).toBe(host.metadata.name);
    expect((await lab.getHost(state.machine.name)).spec).toMatchObject({ online: true, image: expect.objectContaining({ url: expect.any(String) }) });
    expect(portsOfHost(host).map((p) => p.network)).toEqual([tenantA.name, tenantA.name]);

    await releaseFully(claim);
    await expectNothingLeftFor(lab, claim.uid);
    expect(portsOfHost(host).map((p) => p.network)).toEqual(['parking-lot', 'parking-lot']);
  }, 30000);

  it('releases a host reserved but never attached when the claim goes away', async () => {
    const claim = claimOf('tenant-b', tenantB.name);
    netris.setFault({ failNext: 1 });
    await expect(provider.createNode(claim, JOIN)).rejects.toMatchObject({ code: 'Transient' });
    netris.setFault();
    const reserved = (await provider.listNodes()).find((n) => n.claimUid === claim.uid);
    expect(reserved?.machine.name).toBeDefined();
    await releaseFully(claim);
    await expectNothingLeftFor(lab, claim.uid);
    const host = await lab.getHost(reserved!.machine.name);
    expect(host.spec.consumerRef).toBeUndefined();
    expect(portsOfHost(host).map((p) => p.network)).toEqual(['parking-lot', 'parking-lot']);
    expect(netris.listPorts().every((p) => p.network === 'parking-lot')).toBe(true);
  }, 30000);
});
