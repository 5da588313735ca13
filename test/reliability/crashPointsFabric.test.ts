/**
 * Crash points with the Netris fabric (two-phase claim: reserve the host, move its switch ports,
 * then configure it; release parks the ports before Released). The plugin dies right after each
 * of its Kubernetes API writes in turn (the crash proxy; Netris calls are not cut, like a process
 * whose last request still landed), restarts, and retries the same hook. Besides the invariants of
 * crashPoints.test.ts: a held host's cabled ports sit in the claim's tenant network, a released
 * host's ports are parked.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NodeClaimView, NodeProvider, ProviderConfig } from '../../plugin/contract.js';
import { activate } from '../../plugin/index.js';
import { applyFleet, makeFleet } from '../../lab/fleet/index.js';
import { startNetrisEmulator, type NetrisEmulator } from '../../lab/netris/emulator.js';
import { ensureTenantServerCluster, registerFleetPorts, type TenantServerCluster } from '../../lab/netris/fleet.js';
import type { BareMetalHost } from '../../providers/metal3/types.js';
import { startCrashProxy, type CrashProxy } from '../support/crash.js';
import { startTestLab, type TestLab } from '../support/lab.js';
import { activateConfigured, netrisProviderConfig, recordingHost, seedPlatformObjects } from '../providers/helpers.js';
import { expectHeld, expectHostUnclaimed, expectReleased, readCluster } from './invariants.js';
import { sleep, waitFor } from '../support/waitFor.js';
import { aClaim, JOIN } from '../support/builders.js';

const PASSWORD = 'netris-crash-Pa55';
const SERVER_CLUSTER = 'netris.vcluster.com/server-cluster';

describe('crash points with the Netris fabric', () => {
  let lab: TestLab;
  let netris: NetrisEmulator;
  let tenant: TenantServerCluster;
  let config: ProviderConfig;

  beforeAll(async () => {
    lab = await startTestLab({ simulator: true });
    await seedPlatformObjects(lab);
    const fleet = makeFleet(2, { 'cpu-epyc': 1 }, { namespace: lab.namespace });
    netris = await startNetrisEmulator({ username: 'admin', password: PASSWORD, applyDelayMs: 5 });
    registerFleetPorts(netris, fleet.hosts);
    tenant = ensureTenantServerCluster(netris, 'p-default/tenant-a', 0);
    config = await netrisProviderConfig(lab, netris.url, PASSWORD);
    await applyFleet(lab.kc, fleet);
    const { activation, provider } = await activateConfigured(lab, config);
    try {
      await waitFor(async () => (await provider.nodeTypes())[0]?.capacity.total === 2, { timeoutMs: 15000 });
    } finally {
      await activation.dispose();
    }
  }, 30000);

  afterAll(async () => {
    await netris?.close();
    await lab?.close();
  });

  const claimOf = () => aClaim({ vClusterRef: 'tenant-a', properties: { [SERVER_CLUSTER]: tenant.name } });

  /** Networks of the host's cabled ports, as the emulator sees them. */
  const networksOf = (host: BareMetalHost) => {
    const nics = (host.status?.hardware?.nics ?? []) as { mac?: string; lldp?: { portID?: string } }[];
    const macs = nics.filter((n) => n.lldp?.portID && n.mac).map((n) => n.mac!.toLowerCase());
    return netris.listPorts().filter((p) => p.mac && macs.includes(p.mac)).map((p) => p.network);
  };

  async function withDoomedPlugin<T>(k: number | undefined, use: (p: NodeProvider, proxy: CrashProxy) => Promise<T>) {
    const proxy = await startCrashProxy({ target: lab.api, crashAfterWrite: k });
    const activation = await activate(recordingHost(proxy.kubeConfig));
    try {
      await activation.provider.configure(config);
      return { result: await use(activation.provider, proxy), writes: proxy.writes.length };
    } finally {
      await activation.dispose();
      await proxy.close();
    }
  }

  async function withHealthyPlugin<T>(use: (p: NodeProvider) => Promise<T>): Promise<T> {
    const { activation, provider } = await activateConfigured(lab, config);
    try {
      return await use(provider);
    } finally {
      await activation.dispose();
    }
  }

  /** Calls createNode until it answers, then waits until the host is provisioned. */
  const createUntilProvisioned = (claim: NodeClaimView) => withHealthyPlugin(async (p) => {
    const state = await waitFor(() => p.createNode(claim, JOIN), { timeoutMs: 10_000 });
    await waitFor(async () => (await p.getNode(claim))?.phase === 'Provisioned', { timeoutMs: 15000 });
    return state.machine.name;
  });

  const releaseFully = (claim: NodeClaimView) =>
    withHealthyPlugin((p) => waitFor(async () => (await p.deleteNode(claim)).phase === 'Released', { timeoutMs: 20_000 }));

  /** Polls a hook through the proxy until it reports `done` or the proxy has crashed. */
  const pollUntil = (call: (p: NodeProvider) => Promise<{ phase: string }>, done: string) => async (p: NodeProvider, proxy: CrashProxy) => {
    for (let i = 0; i < 800 && !proxy.crashed; i++) {
      const state = await call(p).catch(() => undefined);
      if (state?.phase === done) return done;
      await sleep(25);
    }
    return proxy.crashed ? 'crashed' : 'timeout';
  };

  async function expectHeldOnTenant(claim: NodeClaimView): Promise<string> {
    const hostName = expectHeld(await readCluster(lab), claim.uid, { withIp: true });
    expect(networksOf(await lab.getHost(hostName)).every((n) => n === tenant.name)).toBe(true);
    return hostName;
  }

  async function expectReleasedAndParked(claim: NodeClaimView, hostName: string): Promise<void> {
    expectReleased(await readCluster(lab), claim.uid);
    const host = await lab.getHost(hostName);
    expectHostUnclaimed(host);
    expect(networksOf(host).every((n) => n === 'parking-lot')).toBe(true);
  }

  /**
   * The API writes of one undisturbed createNode and release through the counting proxy (the host held on
   * the tenant network in between, released and parked after). A fixture of the shared world, run once by
   * whichever it asks first; no it writes to it.
   */
  let measurement: Promise<{ create: number; release: number; releaseResult: string }> | undefined;
  const undisturbed = () => (measurement ??= (async () => {
    const claim = claimOf();
    const created = await withDoomedPlugin(undefined, (p) => p.createNode(claim, JOIN));
    const hostName = await expectHeldOnTenant(claim);
    await withHealthyPlugin(async (p) => waitFor(async () => (await p.getNode(claim))?.phase === 'Provisioned', { timeoutMs: 15000 }));
    const released = await withDoomedPlugin(undefined, pollUntil((p) => p.deleteNode(claim), 'Released'));
    await expectReleasedAndParked(claim, hostName);
    return { create: created.writes, release: released.writes, releaseResult: released.result };
  })());

  it('undisturbed: createNode and the release make a known number of API writes', async () => {
    const { create, release, releaseResult } = await undisturbed();
    expect(create).toBeGreaterThanOrEqual(3);
    expect(releaseResult).toBe('Released');
    expect(release).toBeGreaterThanOrEqual(3);
  }, 30000);

  it('createNode dies after each write in turn; a restarted plugin converges onto the tenant network', async () => {
    const undisturbedWrites = await undisturbed();
    expect(undisturbedWrites.create).toBeGreaterThan(0);
    for (let k = 1; k <= undisturbedWrites.create; k++) {
      const claim = claimOf();
      const { writes } = await withDoomedPlugin(k, (p, proxy) => pollUntil(async (q) => ({ phase: (await q.createNode(claim, JOIN)).phase }), 'never')(p, proxy));
      expect({ k, writes }).toEqual({ k, writes: k });
      const hostName = await createUntilProvisioned(claim);
      expect(await expectHeldOnTenant(claim)).toBe(hostName);
      await releaseFully(claim);
      await expectReleasedAndParked(claim, hostName);
    }
  }, 120000);

  it('deleteNode dies after each write in turn; a restarted plugin releases and parks the ports', async () => {
    const undisturbedWrites = await undisturbed();
    expect(undisturbedWrites.release).toBeGreaterThan(0);
    for (let k = 1; k <= undisturbedWrites.release; k++) {
      const claim = claimOf();
      const hostName = await createUntilProvisioned(claim);
      const { writes } = await withDoomedPlugin(k, pollUntil((p) => p.deleteNode(claim), 'Released'));
      expect({ k, writes }).toEqual({ k, writes: k });
      await releaseFully(claim);
      await expectReleasedAndParked(claim, hostName);
    }
  }, 120000);
});
