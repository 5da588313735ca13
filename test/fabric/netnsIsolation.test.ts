/**
 * Isolation with real packets: the driver moves ports on the Netris emulator, the emulator's
 * port state is mirrored onto Linux bridges, and TCP between network namespaces shows who can
 * talk to whom. Every server shares one subnet on purpose, so only layer-2 separation (the
 * VLAN a port is in) can keep them apart, not routing.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startNetrisEmulator, type NetrisEmulator } from '../../lab/netris/emulator.js';
import { LinuxDataplane } from '../../lab/netris/linuxDataplane.js';
import { createNetrisFabric, type HostPorts, type NetworkFabric } from '../../providers/metal3/fabric/fabric.js';

const unavailable = LinuxDataplane.probe();

function oneNicHost(name: string, mac: string, portId: string): HostPorts {
  return { hostName: `metal3/${name}`, nics: [{ name: 'eno1', mac, switchId: 'leaf-1', portId }] };
}

const a1 = { host: oneNicHost('a1', 'aa:00:00:00:0a:01', 'swp1'), ip: '10.99.0.1' };
const a2 = { host: oneNicHost('a2', 'aa:00:00:00:0a:02', 'swp2'), ip: '10.99.0.2' };
const b1 = { host: oneNicHost('b1', 'aa:00:00:00:0b:01', 'swp3'), ip: '10.99.0.3' };
const PROVISIONING_IP = '10.99.0.250';
const PORT = 7070;

if (unavailable) {
  describe('Netris fabric with real packets', () => {
    it('cannot run here, and says why', () => {
      console.warn(`real-packet isolation test not run: ${unavailable}`);
      expect(unavailable).toMatch(/ip netns add failed/);
    });
  });
} else {
  describe('Netris fabric with real packets', () => {
    let netris: NetrisEmulator;
    let fabric: NetworkFabric & { close(): void };
    let dataplane: LinuxDataplane;

    const sync = () => dataplane.apply(netris.listPorts());

    beforeAll(async () => {
      netris = await startNetrisEmulator({ username: 'admin', password: 'pw', applyDelayMs: 10 });
      netris.addSwitchPorts([a1, a2, b1].map(({ host }) => ({ switchId: 'leaf-1', portId: host.nics[0]!.portId!, mac: host.nics[0]!.mac })));
      netris.addServerCluster('tenant-1', 100, '10.100.0.0/24', '10.100.0.1');
      netris.addServerCluster('tenant-2', 200, '10.200.0.0/24', '10.200.0.1');
      fabric = createNetrisFabric({ url: netris.url, username: 'admin', password: 'pw', pollIntervalMs: 5 });
      dataplane = new LinuxDataplane({ provisioningCidr: `${PROVISIONING_IP}/24` });
      for (const [name, s] of [['a1', a1], ['a2', a2], ['b1', b1]] as const) {
        dataplane.addServer(name, s.host.nics[0]!.mac, `${s.ip}/24`);
        await dataplane.listen(name, PORT);
      }
      await dataplane.listen('provisioning', PORT);
      sync();
    });

    afterAll(async () => {
      dataplane?.dispose();
      fabric?.close();
      await netris?.close();
    });

    it('keeps parking-lot servers apart, reaching only provisioning', async () => {
      expect(await dataplane.connects('a1', PROVISIONING_IP, PORT)).toBe(true);
      expect(await dataplane.connects('a1', a2.ip, PORT)).toBe(false);
    });

    it('lets servers of one tenant talk and keeps tenants apart', async () => {
      await fabric.attach(a1.host, await fabric.resolveTenantNetwork('tenant-1', 'tenant-1'));
      await fabric.attach(a2.host, await fabric.resolveTenantNetwork('tenant-1', 'tenant-1'));
      await fabric.attach(b1.host, await fabric.resolveTenantNetwork('tenant-2', 'tenant-2'));
      sync();
      expect(await dataplane.connects('a1', a2.ip, PORT)).toBe(true);
      expect(await dataplane.connects('a1', b1.ip, PORT)).toBe(false);
      expect(await dataplane.connects('b1', a1.ip, PORT)).toBe(false);
      expect(await dataplane.connects('a1', PROVISIONING_IP, PORT)).toBe(false);
    });

    it('returns a detached server to the parking lot', async () => {
      await fabric.detach(a1.host);
      sync();
      expect(await dataplane.connects('a1', PROVISIONING_IP, PORT)).toBe(true);
      expect(await dataplane.connects('a1', a2.ip, PORT)).toBe(false);
      expect(await dataplane.connects('a2', a1.ip, PORT)).toBe(false);
    });
  });
}
