/**
 * Join isolation with the plugin's OWN user data (test/lab/servers uses hand-written cloud-config):
 * claims provisioned by the Metal3 simulator boot in the server farm and fetch the bootstrap script
 * with TLS verified against the CA the plugin was given. A claim joins its own tenant with its own
 * token; a token of tenant A cannot join tenant B; a wrong CA fails the join. No console log shows
 * a token.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api } from '@kubernetes/client-node';
import type { JoinSpec, NodeClaimView, PluginActivation } from '../../plugin/contract.js';
import { applyFleet, makeFleet } from '../../lab/fleet/index.js';
import { startServerFarm, type ServerFarm } from '../../lab/servers/index.js';
import { startTenant, type Tenant } from '../../lab/vcluster/tenant.js';
import { startTestLab, type TestLab } from '../support/lab.js';
import { activateConfigured, providerConfig, seedPlatformObjects } from '../providers/helpers.js';
import { waitFor } from '../support/waitFor.js';
import { aClaim, aNodeType } from '../support/builders.js';

describe('joining through the plugin\'s user data', () => {
  let lab: TestLab;
  let tenantA: Tenant;
  let tenantB: Tenant;
  let farm: ServerFarm;
  let rootDir: string;
  let activation: PluginActivation;
  const tokens: string[] = [];

  beforeAll(async () => {
    lab = await startTestLab({ simulator: true });
    await seedPlatformObjects(lab);
    await applyFleet(lab.kc, makeFleet(3, { 'cpu-epyc': 1 }, { namespace: lab.namespace }));
    tenantA = await startTenant({ name: 'join-a', nodeGraceMs: 1000 });
    tenantB = await startTenant({ name: 'join-b', nodeGraceMs: 1000 });
    rootDir = await mkdtemp(join(tmpdir(), 'join-through-plugin-'));
    farm = await startServerFarm({ kubeConfig: lab.kc, namespace: lab.namespace, rootDir, bootDelayMs: 20, heartbeatMs: 150, sandboxMode: process.env.LAB_SANDBOX_MODE === 'prefix' ? 'prefix' : 'auto' });
    ({ activation } = await activateConfigured(lab, providerConfig(lab.namespace, {
      properties: { 'vcluster.com/os-image': 'ubuntu-noble', 'metal3.vcluster.com/network-cidr': '10.99.0.1/24' },
      nodeTypes: [aNodeType({ resources: { cpu: '64', memory: '512Gi' }, matchLabels: { 'node-role': 'cpu-worker' } })],
    })));
    await waitFor(async () => (await activation.provider.nodeTypes())[0].capacity.total === 3, { timeoutMs: 15000 });
  }, 60000);

  afterAll(async () => {
    await activation?.dispose();
    await farm?.stop();
    await tenantA?.close();
    await tenantB?.close();
    await lab?.close();
    if (rootDir) await rm(rootDir, { recursive: true, force: true });
  });

  async function joinSpec(endpointOf: Tenant, caOf: Tenant, tokenOf: Tenant): Promise<JoinSpec> {
    const { token } = await tokenOf.createJoinToken();
    tokens.push(token);
    return { endpoint: endpointOf.endpoint, caCertPem: caOf.caCertPem, caCertHash: caOf.caCertHash, token };
  }

  const phaseOf = (host: string) => farm.servers().find((s) => s.host === host)?.phase;
  /** The console log of the host's latest boot (a reused host keeps the log of earlier claims). */
  const bootLog = (host: string) => farm.consoleLog(host).split(/(?=\[[^\]]+\] Power on \(boot)/).pop() ?? '';
  /** Deprovisioning stops the server (and its retrying join script) and wipes it. */
  async function release(claim: NodeClaimView): Promise<void> {
    const host = (await activation.provider.getNode(claim))?.machine.name ?? '';
    await waitFor(async () => (await activation.provider.deleteNode(claim)).phase === 'Released', { timeoutMs: 15000 });
    await waitFor(() => phaseOf(host) === 'Wiped', { timeoutMs: 15000 });
  }
  const nodeIn = (tenant: Tenant, name: string) => tenant.api.kubeConfig().makeApiClient(CoreV1Api).readNode({ name }).catch(() => undefined);

  function expectNoToken(log: string): void {
    for (const token of tokens) {
      expect(log).not.toContain(token);
      expect(log).not.toContain(token.split('.')[1]);
    }
  }

  async function provision(claim: NodeClaimView, spec: JoinSpec): Promise<string> {
    const { machine: { name: hostName } } = await activation.provider.createNode(claim, spec);
    return hostName;
  }

  it('a claim joins its own tenant with its own token', async () => {
    const claim = aClaim({ name: 'joins-a', vClusterRef: 'join-a' });
    const host = await provision(claim, await joinSpec(tenantA, tenantA, tenantA));
    await waitFor(async () => (await nodeIn(tenantA, 'joins-a')) !== undefined, { timeoutMs: 30000 });
    expect(await nodeIn(tenantB, 'joins-a')).toBeUndefined();
    expectNoToken(farm.consoleLog(host));
    await release(claim);
  }, 40000);

  it('a token of tenant A cannot join tenant B', async () => {
    const claim = aClaim({ name: 'a-token-at-b', vClusterRef: 'join-b' });
    const host = await provision(claim, await joinSpec(tenantB, tenantB, tenantA));
    // The join script retries for a while; its first refusal is enough.
    await waitFor(() => /returned error: 401/.test(bootLog(host)), { timeoutMs: 30000 });
    expect(await nodeIn(tenantB, 'a-token-at-b')).toBeUndefined();
    expect(await nodeIn(tenantA, 'a-token-at-b')).toBeUndefined();
    expectNoToken(farm.consoleLog(host));
    await release(claim);
  }, 40000);

  it('a wrong CA fails the join: the bootstrap script is fetched with TLS verified', async () => {
    const claim = aClaim({ name: 'wrong-ca', vClusterRef: 'join-b' });
    const host = await provision(claim, await joinSpec(tenantB, tenantA, tenantB));
    await waitFor(() => /curl: \(60\)|SSL certificate problem/.test(bootLog(host)), { timeoutMs: 30000 });
    expect(bootLog(host)).not.toMatch(/Preparing node/);
    expect(await nodeIn(tenantB, 'wrong-ca')).toBeUndefined();
    expectNoToken(farm.consoleLog(host));
    await release(claim);
  }, 40000);
});
