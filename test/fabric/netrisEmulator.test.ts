/** The Netris emulator's HTTP API and network model, driven with plain fetch. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startNetrisEmulator, type NetrisEmulator } from '../../lab/netris/emulator.js';
import { sleep } from '../support/waitFor.js';

/** The loose shape of the `data` the tests read (ports, sessions, server clusters). */
interface Data extends Array<PortData> {
  token: string;
  status: string;
}
interface PortData {
  id: number;
  vnet: string;
  untaggedVlan: number;
}

describe('Netris emulator', () => {
  let netris: NetrisEmulator;
  let token: string;

  async function call(method: string, path: string, body?: unknown, auth: Record<string, string> = { authorization: `Bearer ${token}` }) {
    const res = await fetch(`${netris.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...auth },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as { isSuccess: boolean; message?: string; data: Data } };
  }

  beforeAll(async () => {
    netris = await startNetrisEmulator({ username: 'admin', password: 's3cret', applyDelayMs: 50 });
    netris.addSwitchPorts([
      { switchId: 'leaf-1', portId: 'swp1', mac: 'AA:00:00:00:00:01' },
      { switchId: 'leaf-1', portId: 'swp2', mac: 'aa:00:00:00:00:02' },
      { switchId: 'leaf-2', portId: 'swp1', mac: 'aa:00:00:00:00:03' },
    ]);
    netris.addServerCluster('tenant-1', 100, '10.100.0.0/24', '10.100.0.1', { tenant: 'tenant-1' });
    const login = await call('POST', '/api/auth', { user: 'admin', password: 's3cret' }, {});
    token = login.body.data.token;
  });

  afterAll(async () => {
    await netris.close();
  });

  describe('authentication', () => {
    it('answers 401 without a session and with a wrong password', async () => {
      expect((await call('GET', '/api/v2/port', undefined, {})).status).toBe(401);
      const bad = await call('POST', '/api/auth', { user: 'admin', password: 'wrong' }, {});
      expect(bad.status).toBe(401);
      expect(bad.headers.get('set-cookie')).toBeNull();
    });

    it('accepts the session cookie as well as the bearer token', async () => {
      const login = await call('POST', '/api/auth', { username: 'admin', password: 's3cret' }, {});
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      expect((await call('GET', '/api/v2/port', undefined, { cookie })).status).toBe(200);
    });
  });

  describe('server clusters', () => {
    it('refuses a VLAN, subnet or name already in use with 409', async () => {
      const sameVlan = await call('POST', '/api/v2/servercluster', { name: 'tenant-x', vlanId: 100, subnet: '10.150.0.0/24', gateway: '10.150.0.1' });
      expect(sameVlan.status).toBe(409);
      expect(sameVlan.body.message).toContain('tenant-1');
      const overlapping = await call('POST', '/api/v2/servercluster', { name: 'tenant-y', vlanId: 150, subnet: '10.100.0.128/25', gateway: '10.100.0.129' });
      expect(overlapping.status).toBe(409);
      const management = await call('POST', '/api/v2/servercluster', { name: 'tenant-z', vlanId: 10, subnet: '10.160.0.0/24', gateway: '10.160.0.1' });
      expect(management.status).toBe(409);
      const sameName = await call('POST', '/api/v2/servercluster', { name: 'tenant-1', vlanId: 170, subnet: '10.170.0.0/24', gateway: '10.170.0.1' });
      expect(sameName.status).toBe(409);
    });

    it('refuses a gateway outside the subnet with 400', async () => {
      const res = await call('POST', '/api/v2/servercluster', { name: 'tenant-g', vlanId: 180, subnet: '10.180.0.0/24', gateway: '10.181.0.1' });
      expect(res.status).toBe(400);
      expect(res.body.message).toContain('gateway');
    });

    it('creates a free one and lists it by name', async () => {
      const created = await call('POST', '/api/v2/servercluster', { name: 'tenant-2', vlanId: 200, subnet: '10.200.0.0/24', gateway: '10.200.0.1' });
      expect(created.status).toBe(201);
      const listed = await call('GET', '/api/v2/servercluster?name=tenant-2');
      expect(listed.body.data).toEqual([expect.objectContaining({ name: 'tenant-2', vnet: expect.objectContaining({ vlanId: 200 }) })]);
      expect(() => netris.addServerCluster('tenant-3', 200, '10.201.0.0/24', '10.201.0.1')).toThrow(/VLAN 200/);
    });
  });

  describe('ports and reachability', () => {
    it('starts every port in the parking lot, reaching only provisioning', async () => {
      const ports = await call('GET', '/api/v2/port');
      expect(ports.body.data.map((p) => [p.vnet, p.untaggedVlan]))
        .toEqual([['parking-lot', 10], ['parking-lot', 10], ['parking-lot', 10]]);
      expect(netris.canReach('aa:00:00:00:00:01', 'provisioning')).toBe(true);
      expect(netris.canReach('aa:00:00:00:00:01', 'tenant:tenant-1')).toBe(false);
      expect(netris.canReach('aa:00:00:00:00:01', 'aa:00:00:00:00:02')).toBe(false);
    });

    it('moves a port into a V-Net: provisioning first, then active with the tenant VLAN', async () => {
      const [port] = (await call('GET', '/api/v2/port?switch=leaf-1&port=swp1')).body.data;
      const moved = await call('PUT', `/api/v2/port/${port.id}/vnet`, { vnet: 'tenant-1' });
      expect(moved.status).toBe(202);
      expect(moved.body.data).toMatchObject({ vnet: 'tenant-1', untaggedVlan: 100, status: 'provisioning' });
      expect(netris.canReach('aa:00:00:00:00:01', 'tenant:tenant-1')).toBe(false);
      await sleep(80);
      expect((await call('GET', `/api/v2/port/${port.id}`)).body.data.status).toBe('active');
      expect(netris.canReach('aa:00:00:00:00:01', 'tenant:tenant-1')).toBe(true);
      expect(netris.canReach('aa:00:00:00:00:01', 'tenant:tenant-2')).toBe(false);
      expect(netris.canReach('aa:00:00:00:00:01', 'provisioning')).toBe(false);
      expect(netris.portsOf('tenant-1').map((p) => p.portId)).toEqual(['swp1']);
    });

    it('answers 404 for an unknown V-Net and 503 for an injected fault', async () => {
      const [port] = (await call('GET', '/api/v2/port?switch=leaf-2&port=swp1')).body.data;
      expect((await call('PUT', `/api/v2/port/${port.id}/vnet`, { vnet: 'nope' })).status).toBe(404);
      netris.setFault({ failNext: 1 });
      expect((await call('PUT', `/api/v2/port/${port.id}/vnet`, { vnet: 'tenant-2' })).status).toBe(503);
      expect((await call('PUT', `/api/v2/port/${port.id}/vnet`, { vnet: 'tenant-2' })).status).toBe(202);
      expect(netris.portsOf('tenant-2').map((p) => p.switchId)).toEqual(['leaf-2']);
    });

    it('rejects a malformed body with 400', async () => {
      const res = await fetch(`${netris.url}/api/v2/port/1/vnet`, {
        method: 'PUT', headers: { authorization: `Bearer ${token}` }, body: '{not json',
      });
      expect(res.status).toBe(400);
    });
  });
});
