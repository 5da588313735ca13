/**
 * Netris configuration errors through the lab API and the Netris emulator: a missing Secret, a
 * claim naming a server cluster without netris configured, rejected credentials (named without
 * the password), an unknown server cluster, and a host whose ports the fabric cannot find.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type NodeClaimView, type NodeProvider, type PluginActivation } from '../../plugin/contract.js';
import { startNetrisEmulator, type NetrisEmulator } from '../../lab/netris/emulator.js';
import { ensureTenantServerCluster, registerFleetPorts } from '../../lab/netris/fleet.js';
import { startTestLab, type TestLab } from '../support/lab.js';
import { activateConfigured, CPU_HOST, providerConfig, recordingHost, seedPlatformObjects, type Metal3ProviderConfig } from './helpers.js';
import { aClaim, JOIN } from '../support/builders.js';
import { expectNothingLeftFor, expectRejectsWith } from '../support/expectations.js';

const PASSWORD = 'right-Pa55word';
const WRONG_PASSWORD = 'wrong-Pa55word';
const SERVER_CLUSTER = 'netris.vcluster.com/server-cluster';

describe('Netris configuration', () => {
  let lab: TestLab;
  let netris: NetrisEmulator;
  let activation: PluginActivation;
  let provider: NodeProvider;
  let host: ReturnType<typeof recordingHost>;
  let serverCluster: string;

  const withNetris = (secret: string): Metal3ProviderConfig => {
    const config = providerConfig(lab.namespace);
    config.spec.metal3!.netris = { secretRef: { name: secret } };
    return config;
  };
  const tenantClaim = (properties: Record<string, string> = {}): NodeClaimView =>
    aClaim({ vClusterRef: 'tenant-a', properties: { [SERVER_CLUSTER]: serverCluster, ...properties } });
  const leaked = () => [...host.logger.lines, ...host.events.recorded.map((e) => e.message)].filter((l) => l.includes(PASSWORD) || l.includes(WRONG_PASSWORD));

  beforeAll(async () => {
    lab = await startTestLab();
    await seedPlatformObjects(lab);
    netris = await startNetrisEmulator({ username: 'admin', password: PASSWORD, applyDelayMs: 10 });
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    for (const [name, password] of [['netris', PASSWORD], ['netris-wrong', WRONG_PASSWORD]]) {
      await lab.core.createNamespacedSecret({
        namespace: lab.namespace,
        body: { metadata: { name }, data: { url: b64(netris.url), username: b64('admin'), password: b64(password) } },
      });
    }
    const cabled = [
      { name: 'eth0', mac: '52:54:00:aa:00:01', lldp: { switchID: 'leaf-1', portID: 'swp1' } },
      { name: 'eth1', mac: '52:54:00:aa:00:02', lldp: { switchID: 'leaf-2', portID: 'swp1' } },
    ];
    const lldpHost = await lab.createHost('lldp-1', { ...CPU_HOST, nics: cabled });
    await lab.createHost('nolldp-1', CPU_HOST);
    expect(registerFleetPorts(netris, [lldpHost]).map((p) => p.portId)).toEqual(['swp1', 'swp1']);
    serverCluster = ensureTenantServerCluster(netris, 'p-default/tenant-a', 0).name;
    ({ activation, provider, host } = await activateConfigured(lab));
  });

  afterAll(async () => {
    await activation?.dispose();
    await netris?.close();
    await lab?.close();
  });

  it('refuses a netris secretRef whose Secret does not exist, naming the field', async () => {
    const err = await expectRejectsWith(provider.configure(withNetris('no-such-secret')), 'InvalidConfiguration', { object: 'NodeProvider metal3-provider', field: 'spec.metal3.netris.secretRef' });
    expect(err.message).toContain(`Secret ${lab.namespace}/no-such-secret does not exist`);
  });

  it('refuses a claim naming a server cluster when netris is not configured', async () => {
    const claim = tenantClaim();
    await expectRejectsWith(provider.createNode(claim, JOIN), 'InvalidConfiguration', { field: 'spec.metal3.netris.secretRef' });
    await expectNothingLeftFor(lab, claim.uid);
  });

  it('names the Secret, never the password, when Netris rejects the credentials', async () => {
    await provider.configure(withNetris('netris-wrong'));
    const claim = tenantClaim();
    const err = await expectRejectsWith(provider.createNode(claim, JOIN), 'InvalidConfiguration');
    expect(err.object).toBe(`Secret ${lab.namespace}/netris-wrong`);
    expect(err.message).toContain('Netris rejected the login');
    expect(JSON.stringify({ message: err.message, cause: (err.cause as Error)?.message })).not.toContain(WRONG_PASSWORD);
    await expectNothingLeftFor(lab, claim.uid);
    expect(leaked()).toEqual([]);
  });

  it('names the property for an unknown server cluster', async () => {
    await provider.configure(withNetris('netris'));
    const claim = tenantClaim({ [SERVER_CLUSTER]: 'no-such-cluster' });
    const err = await expectRejectsWith(provider.createNode(claim, JOIN), 'InvalidConfiguration');
    expect(String(err.field)).toContain(SERVER_CLUSTER);
    await expectNothingLeftFor(lab, claim.uid);
  });

  it('drops the reservation of a host without LLDP data, with a Warning event, instead of booting it unisolated', async () => {
    const pinned = tenantClaim({ 'metal3.vcluster.com/server-name': 'nolldp-1' });
    await expectRejectsWith(provider.createNode(pinned, JOIN), 'InsufficientCapacity');
    const warning = host.events.recorded.find((e) => e.object.uid === pinned.uid && e.reason === 'NetworkAttachFailed');
    expect(warning?.type).toBe('Warning');
    expect(warning?.message).toContain('LLDP');
    expect((await lab.getHost('nolldp-1')).spec.consumerRef).toBeUndefined();
    await expectNothingLeftFor(lab, pinned.uid);

    const claim = tenantClaim();
    const state = await provider.createNode(claim, JOIN);
    expect(state.machine.name).toBe('lldp-1');
    expect(netris.portsOf(serverCluster)).toHaveLength(2);
    expect(leaked()).toEqual([]);
  });
});
