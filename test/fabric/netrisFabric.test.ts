/** The Netris fabric driver against the Netris emulator over real HTTP. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { type Logger } from '../../plugin/contract.js';
import { createNetrisFabric, type HostPorts, type NetworkFabric, type TenantNetwork } from '../../providers/metal3/fabric/fabric.js';
import { startNetrisEmulator, type NetrisEmulator } from '../../lab/netris/emulator.js';
import { expectRejectsWith } from '../support/expectations.js';
import { sleep } from '../support/waitFor.js';

const PASSWORD = 'Pa55-never-in-logs';

/** A Logger that keeps every line, so tests can prove what is (not) logged. */
function recordingLogger(lines: string[]): Logger {
  const log = (level: string) => (obj: object | string, msg?: string) => void lines.push(`${level} ${JSON.stringify(obj)} ${msg ?? ''}`);
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), child: () => logger };
  return logger;
}

function host(name: string, ...nics: [mac: string, switchId: string, portId: string][]): HostPorts {
  return { hostName: `metal3/${name}`, nics: nics.map(([mac, switchId, portId], i) => ({ name: `eno${i + 1}`, mac, switchId, portId })) };
}

describe('Netris fabric', () => {
  const logs: string[] = [];
  let netris: NetrisEmulator;
  let fabric: NetworkFabric & { close(): void };
  let tenant1: TenantNetwork;
  let tenant2: TenantNetwork;

  const gpu1 = host('gpu-1', ['aa:00:00:00:01:01', 'leaf-1', 'swp1'], ['aa:00:00:00:01:02', 'leaf-2', 'swp1']);
  const gpu2 = host('gpu-2', ['aa:00:00:00:02:01', 'leaf-1', 'swp2'], ['aa:00:00:00:02:02', 'leaf-2', 'swp2']);
  const cpu1 = host('cpu-1', ['aa:00:00:00:03:01', 'leaf-1', 'swp3']);

  beforeAll(async () => {
    netris = await startNetrisEmulator({ username: 'admin', password: PASSWORD, applyDelayMs: 30 });
    netris.addSwitchPorts([gpu1, gpu2, cpu1].flatMap((h) => h.nics.map((n) => ({ switchId: n.switchId!, portId: n.portId!, mac: n.mac }))));
    netris.addServerCluster('tenant-1', 100, '10.100.0.0/24', '10.100.0.1', { tenant: 'tenant-1', dns: ['10.100.0.2'] });
    netris.addServerCluster('tenant-2', 200, '10.200.0.0/24', '10.200.0.1', { tenant: 'tenant-2' });
    fabric = createNetrisFabric({ url: netris.url, username: 'admin', password: PASSWORD, logger: recordingLogger(logs), pollIntervalMs: 10 });
    tenant1 = await fabric.resolveTenantNetwork('tenant-1', 'tenant-1');
    tenant2 = await fabric.resolveTenantNetwork('tenant-2', 'tenant-2');
  });

  afterEach(async () => {
    netris.setFault();
    await Promise.all([gpu1, gpu2, cpu1].map((h) => fabric.detach(h)));
  });

  afterAll(async () => {
    fabric.close();
    await netris.close();
    expect(logs.join('\n')).not.toContain(PASSWORD);
  });

  describe('credentials', () => {
    it('reports rejected credentials as Unauthorized without echoing them', async () => {
      const wrong = createNetrisFabric({ url: netris.url, username: 'admin', password: 'guessed-Pa55' });
      try {
        const err = await expectRejectsWith(wrong.whereIs(gpu1), 'FabricError');
        expect(err).toMatchObject({ reason: 'Unauthorized' });
        expect(err.message).toContain('username and password keys');
        expect(err.message).not.toContain('guessed-Pa55');
      } finally {
        wrong.close();
      }
    });

    it('refuses a url with embedded credentials without echoing it', async () => {
      const err = await expectRejectsWith(() => createNetrisFabric({ url: `http://admin:${PASSWORD}@127.0.0.1:1`, username: 'admin', password: PASSWORD }), 'InvalidConfiguration');
      expect(err.message).not.toContain(PASSWORD);
    });

    it('logs in again when the session is revoked', async () => {
      netris.revokeSessions();
      await expect(fabric.whereIs(gpu1)).resolves.toBe('parking-lot');
    });
  });

  describe('resolveTenantNetwork', () => {
    it('returns the server cluster V-Net', () => {
      expect(tenant1).toEqual({ serverCluster: 'tenant-1', vlanId: 100, subnet: '10.100.0.0/24', gateway: '10.100.0.1', dns: ['10.100.0.2'] });
    });

    it('names the property for an unknown server cluster', async () => {
      const err = await expectRejectsWith(fabric.resolveTenantNetwork('tenant-9', 'tenant-9'), 'InvalidConfiguration');
      expect(err.field).toContain('netris.vcluster.com/server-cluster');
      expect(err.message).toContain('"tenant-9" does not exist');
    });

    it("refuses another tenant's server cluster", async () => {
      const err = await expectRejectsWith(fabric.resolveTenantNetwork('tenant-2', 'tenant-1'), 'InvalidConfiguration');
      expect(err.message).toContain('belongs to tenant "tenant-2"');
    });
  });

  describe('attach and detach', () => {
    it('moves every LLDP port of the host into the tenant VLAN, applied', async () => {
      await fabric.attach(gpu1, tenant1);
      expect(netris.portsOf('tenant-1')).toEqual([
        expect.objectContaining({ switchId: 'leaf-1', portId: 'swp1', vlanId: 100, status: 'active' }),
        expect.objectContaining({ switchId: 'leaf-2', portId: 'swp1', vlanId: 100, status: 'active' }),
      ]);
      expect(await fabric.whereIs(gpu1)).toBe('tenant-1');
      expect(await fabric.whereIs(gpu2)).toBe('parking-lot');
    });

    it('puts two tenants on different VLANs, isolated from each other', async () => {
      await fabric.attach(gpu1, tenant1);
      await fabric.attach(gpu2, tenant2);
      expect(netris.portsOf('tenant-2').map((p) => p.vlanId)).toEqual([200, 200]);
      const [a, b] = [gpu1.nics[0]!.mac, gpu2.nics[0]!.mac];
      expect(netris.canReach(a, 'tenant:tenant-1')).toBe(true);
      expect(netris.canReach(a, gpu1.nics[1]!.mac)).toBe(true);
      expect(netris.canReach(a, 'tenant:tenant-2')).toBe(false);
      expect(netris.canReach(a, b)).toBe(false);
      expect(netris.canReach(b, 'tenant:tenant-1')).toBe(false);
      expect(netris.canReach(a, 'provisioning')).toBe(false);
      expect(netris.canReach(cpu1.nics[0]!.mac, 'provisioning')).toBe(true);
      expect(netris.canReach(cpu1.nics[0]!.mac, 'tenant:tenant-1')).toBe(false);
    });

    it('returns the ports to the parking lot on detach', async () => {
      await fabric.attach(gpu1, tenant1);
      await fabric.detach(gpu1);
      expect(await fabric.whereIs(gpu1)).toBe('parking-lot');
      expect(netris.portsOf('tenant-1')).toEqual([]);
      expect(netris.canReach(gpu1.nics[0]!.mac, 'provisioning')).toBe(true);
    });

    it('is idempotent: a repeated attach or detach moves nothing', async () => {
      await fabric.attach(gpu1, tenant1);
      const afterAttach = netris.moveCount();
      await fabric.attach(gpu1, tenant1);
      expect(netris.moveCount()).toBe(afterAttach);
      await fabric.detach(gpu1);
      const afterDetach = netris.moveCount();
      await fabric.detach(gpu1);
      expect(netris.moveCount()).toBe(afterDetach);
      expect(await fabric.whereIs(gpu1)).toBe('parking-lot');
    });

    it("refuses to take a port out of another tenant's network", async () => {
      await fabric.attach(gpu1, tenant1);
      const err = await expectRejectsWith(fabric.attach(gpu1, tenant2), 'FabricError');
      expect(err).toMatchObject({ reason: 'PortInUse' });
      expect(await fabric.whereIs(gpu1)).toBe('tenant-1');
    });

    it('refuses a host without LLDP data or cabled to an unknown port', async () => {
      const noLldp = await expectRejectsWith(fabric.attach({ hostName: 'metal3/bare', nics: [{ name: 'eno1', mac: 'aa:00:00:00:09:01' }] }, tenant1), 'FabricError');
      expect(noLldp).toMatchObject({ reason: 'NoSwitchPorts' });
      expect(noLldp.message).toContain('status.hardware.nics[].lldp');
      const unknown = await expectRejectsWith(fabric.attach(host('ghost', ['aa:00:00:00:09:02', 'leaf-9', 'swp9']), tenant1), 'FabricError');
      expect(unknown).toMatchObject({ reason: 'UnknownPort' });
      expect(unknown.message).toContain('swp9@leaf-9');
    });
  });

  describe('faults', () => {
    it('rolls a half-done attach back and completes it on retry', async () => {
      netris.setFault({ afterMoves: 1, failNext: 1 });
      const err = await expectRejectsWith(fabric.attach(gpu1, tenant1), 'Transient');
      expect(err.message).toContain('all ports are back in the parking lot');
      expect(await fabric.whereIs(gpu1)).toBe('parking-lot');

      await fabric.attach(gpu1, tenant1);
      expect(await fabric.whereIs(gpu1)).toBe('tenant-1');
    });

    it('reports ports a failed rollback stranded, and a retry still converges', async () => {
      netris.setFault({ afterMoves: 1, failNext: 2 });
      const err = await expectRejectsWith(fabric.attach(gpu1, tenant1), 'Transient');
      expect(err.message).toContain('still in "tenant-1"');
      expect(await fabric.whereIs(gpu1)).toBe('mixed');

      await fabric.attach(gpu1, tenant1);
      expect(await fabric.whereIs(gpu1)).toBe('tenant-1');
    });

    it('fails a detach transiently and completes it on retry', async () => {
      await fabric.attach(gpu1, tenant1);
      netris.setFault({ failNext: 1 });
      await expectRejectsWith(fabric.detach(gpu1), 'Transient');
      await fabric.detach(gpu1);
      expect(await fabric.whereIs(gpu1)).toBe('parking-lot');
    });

    it('turns a slow fabric into a TransientError and honours the caller abort', async () => {
      const impatient = createNetrisFabric({ url: netris.url, username: 'admin', password: PASSWORD, requestTimeoutMs: 50 });
      try {
        netris.setFault({ latencyMs: 300 });
        await expectRejectsWith(impatient.attach(cpu1, tenant1), 'Transient');
        await expect(fabric.attach(cpu1, tenant1, AbortSignal.timeout(50))).rejects.toMatchObject({ name: 'TimeoutError' });
        // The timed-out moves still land on the emulator later; let them, so afterEach can undo them.
        await sleep(400);
      } finally {
        impatient.close();
      }
    });
  });
});
