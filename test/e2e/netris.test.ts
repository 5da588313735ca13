/**
 * The lab world with its Netris fabric and the real plugin: two tenants whose vcluster.yaml names a
 * server cluster (autoNodes properties) get hosts on their own VLANs, cannot reach each other, and
 * their released hosts come back to the parking lot.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api, type CustomObjectsApi } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { PARKING_LOT } from '../../lab/netris/emulator.js';
import type { TenantServerCluster } from '../../lab/netris/fleet.js';
import { HOST_NAMESPACE, SERVER_CLUSTER_PROPERTY, type World } from '../../lab/world.js';
import { startE2eWorld, type E2eWorld } from './labWorld.js';
import { waitFor } from '../support/waitFor.js';

/** Waits here are long: the lab boots real servers. */
const PATIENTLY = { timeoutMs: 60_000, everyMs: 100 };

const LOFT = { group: 'management.loft.sh', version: 'v1' };
const PROJECT = 'p-net';

type Claim = { metadata: { name: string }; spec?: { vClusterRef?: string; properties?: Record<string, string> }; status?: { phase?: string } };
type Host = { metadata: { name: string; annotations?: Record<string, string> }; spec?: { consumerRef?: unknown }; status?: { provisioning?: { state?: string } } };

describe('tenant networks on the lab world (Netris)', () => {
  let lab: E2eWorld;
  let world: World;
  let custom: CustomObjectsApi;
  let blue: TenantServerCluster;
  let green: TenantServerCluster;

  beforeAll(async () => {
    lab = await startE2eWorld(PROJECT, {}, 'e2e-netris-');
    ({ world, custom } = lab);
    blue = world.fabric!.serverClusterFor(`${PROJECT}/blue`);
    green = world.fabric!.serverClusterFor(`${PROJECT}/green`);
  }, 60_000);

  afterAll(async () => {
    await lab?.stop();
  });

  const hosts = async () => ((await custom.listNamespacedCustomObject({ group: 'metal3.io', version: 'v1alpha1', namespace: HOST_NAMESPACE, plural: 'baremetalhosts' })) as { items: Host[] }).items;
  const claims = async () => ((await custom.listNamespacedCustomObject({ ...LOFT, namespace: PROJECT, plural: 'nodeclaims' })) as { items: Claim[] }).items;
  const readyNodes = async (tenant: string) => {
    const t = world.tenants.get(PROJECT, tenant);
    if (!t) return 0;
    const nodes = await t.api.kubeConfig().makeApiClient(CoreV1Api).listNode();
    return nodes.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
  };
  /** Where each cabled NIC of `host` is, as `<network>/<vlan>`. */
  const portsOf = (host: string) => {
    const macs = new Set(world.fabric!.cabling.filter((p) => p.host === host).map((p) => p.mac));
    return world.fabric!.emulator.listPorts().filter((p) => p.mac && macs.has(p.mac)).map((p) => `${p.network}/${p.vlanId}`);
  };
  const macOf = (host: string) => world.fabric!.cabling.find((p) => p.host === host)!.mac;
  const createTenant = (name: string, type: string, serverCluster: string) => custom.createNamespacedCustomObject({
    ...LOFT, namespace: PROJECT, plural: 'virtualclusterinstances',
    body: {
      apiVersion: 'management.loft.sh/v1', kind: 'VirtualClusterInstance', metadata: { name },
      spec: { template: { helmRelease: { values: stringify({ privateNodes: { enabled: true, autoNodes: [{
        provider: 'metal3-provider',
        properties: { [SERVER_CLUSTER_PROPERTY]: serverCluster },
        static: [{ name: 'pool', quantity: 1, nodeTypeSelector: [{ property: 'vcluster.com/node-type', value: type }] }],
      }] } }) } } },
    },
  });

  const TENANTS = [['blue', 'gpu-h100'], ['green', 'cpu']] as const;
  const allHostsAvailable = async () =>
    (await hosts()).filter((h) => h.status?.provisioning?.state === 'available' && !h.spec?.consumerRef).length === 8;
  /** Both tenants exist (created unless they do) with a joined node each; answers host name → the claim's tenant. */
  const bothTenantsJoined = async (): Promise<Map<string, string>> => {
    for (const [name, type] of TENANTS) {
      await createTenant(name, type, (name === 'blue' ? blue : green).name).catch((e: { code?: number }) => { if (e.code !== 409) throw e; });
    }
    await waitFor(async () => (await readyNodes('blue')) === 1 && (await readyNodes('green')) === 1, { what: 'a joined node in each tenant', ...PATIENTLY, timeoutMs: 90_000 });
    const held = new Map<string, string>();
    for (const h of await hosts()) {
      const claim = h.metadata.annotations?.['metal3.vcluster.com/node-claim-name'] ?? '';
      if (h.spec?.consumerRef) held.set(h.metadata.name, claim.startsWith('blue-') ? 'blue' : 'green');
    }
    return held;
  };
  /** No tenant left (deleted if there are), every claim gone and all 8 hosts available. */
  const noTenants = async () => {
    for (const [name] of TENANTS) {
      await custom.deleteNamespacedCustomObject({ ...LOFT, namespace: PROJECT, plural: 'virtualclusterinstances', name }).catch((e: { code?: number }) => { if (e.code !== 404) throw e; });
    }
    await waitFor(async () => (await claims()).length === 0, { what: 'no claims left', ...PATIENTLY, timeoutMs: 90_000 });
    await waitFor(allHostsAvailable, { what: 'all 8 hosts available', ...PATIENTLY, timeoutMs: 90_000 });
  };

  it('starts with every cabled port of the fleet in the parking lot and a network per tenant', async () => {
    await noTenants();
    expect(world.fabric!.cabling).toHaveLength(16); // 8 hosts, two cabled NICs each
    expect(new Set(world.fabric!.emulator.listPorts().map((p) => p.network))).toEqual(new Set([PARKING_LOT]));
    expect(blue.vlanId).not.toBe(green.vlanId);
    expect(world.fabric!.serverClusterFor(`${PROJECT}/blue`)).toEqual(blue); // stable per tenant
  }, 120_000);

  it('puts each tenant\'s host on its own VLAN, isolated from the other tenant', async () => {
    const held = await bothTenantsJoined();
    const list = await claims();
    expect(list.map((c) => [c.spec?.vClusterRef, c.spec?.properties?.[SERVER_CLUSTER_PROPERTY]]).sort()).toEqual([['blue', blue.name], ['green', green.name]]);
    expect([...held.values()].sort()).toEqual(['blue', 'green']);
    const hostOf = (tenant: string) => [...held].find(([, t]) => t === tenant)![0];
    const [blueHost, greenHost] = [hostOf('blue'), hostOf('green')];
    expect(portsOf(blueHost)).toEqual([`${blue.name}/${blue.vlanId}`, `${blue.name}/${blue.vlanId}`]);
    expect(portsOf(greenHost)).toEqual([`${green.name}/${green.vlanId}`, `${green.name}/${green.vlanId}`]);
    const fabric = world.fabric!.emulator;
    expect(fabric.canReach(macOf(blueHost), `tenant:${blue.name}`)).toBe(true);
    expect(fabric.canReach(macOf(blueHost), `tenant:${green.name}`)).toBe(false);
    expect(fabric.canReach(macOf(blueHost), macOf(greenHost))).toBe(false);
    expect(fabric.canReach(macOf(greenHost), macOf(blueHost))).toBe(false);
    // Unclaimed hosts never left the parking lot.
    for (const h of await hosts()) if (!held.has(h.metadata.name)) expect(new Set(portsOf(h.metadata.name))).toEqual(new Set([`${PARKING_LOT}/10`]));
  }, 120_000);

  it('returns the released hosts\' ports to the parking lot', async () => {
    const held = await bothTenantsJoined();
    await noTenants();
    for (const host of held.keys()) expect(portsOf(host)).toEqual([`${PARKING_LOT}/10`, `${PARKING_LOT}/10`]);
    expect(world.fabric!.emulator.portsOf(blue.name)).toEqual([]);
    expect(world.fabric!.emulator.portsOf(green.name)).toEqual([]);
  }, 240_000);
});
