/**
 * Crash points: the plugin process "dies" right after each of its API writes in turn (the crash
 * proxy kills its connections), a fresh activation is started, and the host calls the same hook
 * again until it converges. Nothing may be doubled or leaked: one host per claim, one IP
 * reservation per claim, the claim's data Secret exists iff it holds a host, and after release no
 * reservation, Secret, label, annotation or consumerRef remains.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NodeClaimView, NodeProvider, ProviderConfig } from '../../plugin/contract.js';
import { activate } from '../../plugin/index.js';
import { applyFleet, makeFleet } from '../../lab/fleet/index.js';
import { startCrashProxy, type CrashProxy } from '../support/crash.js';
import { startTestLab, type TestLab } from '../support/lab.js';
import { activateConfigured, CPU_HOST, providerConfig, recordingHost, seedPlatformObjects } from '../providers/helpers.js';
import { expectHeld, expectHostUnclaimed, expectReleased, readCluster } from './invariants.js';
import { sleep, waitFor } from '../support/waitFor.js';
import { aClaim, aNodeType, JOIN } from '../support/builders.js';

const NETWORK = { 'vcluster.com/os-image': 'ubuntu-noble', 'metal3.vcluster.com/network-cidr': '10.60.0.1/24' };

/** Runs `use` with a plugin whose every request goes through a crash proxy armed at write `k`. */
async function withDoomedPlugin<T>(lab: TestLab, config: ProviderConfig, k: number | undefined, use: (p: NodeProvider, proxy: CrashProxy) => Promise<T>) {
  const proxy = await startCrashProxy({ target: lab.api, crashAfterWrite: k });
  const activation = await activate(recordingHost(proxy.kubeConfig));
  try {
    await activation.provider.configure(config);
    return { result: await use(activation.provider, proxy), writes: proxy.writes.length, crashed: proxy.crashed };
  } finally {
    await activation.dispose();
    await proxy.close();
  }
}

async function releaseFully(provider: NodeProvider, claim: NodeClaimView): Promise<void> {
  await waitFor(async () => (await provider.deleteNode(claim)).phase === 'Released', { timeoutMs: 20_000 });
}

/** Writes of an undisturbed createNode (IP, the data Secret, the host) and release (stop host, unclaim host, IP, the data Secret). */
const CREATE_WRITES = 3;
const RELEASE_WRITES = 4;

describe('crash points in createNode', () => {
  let lab: TestLab;
  let config: ProviderConfig;

  beforeAll(async () => {
    lab = await startTestLab();
    await seedPlatformObjects(lab);
    for (const name of ['crash-01', 'crash-02', 'crash-03']) await lab.createHost(name, { ...CPU_HOST });
    config = providerConfig(lab.namespace, { properties: NETWORK });
  });

  afterAll(async () => {
    await lab?.close();
  });

  it('an undisturbed createNode makes a known number of writes (IP, the data Secret, the host)', async () => {
    const claim = aClaim();
    const { writes, crashed } = await withDoomedPlugin(lab, config, undefined, (p) => p.createNode(claim, JOIN));
    expect(crashed).toBe(false);
    expect(writes).toBe(CREATE_WRITES);
    expectHeld(await readCluster(lab), claim.uid, { withIp: true });
    const { activation, provider } = await activateConfigured(lab, config);
    try {
      await releaseFully(provider, claim);
    } finally {
      await activation.dispose();
    }
    expectReleased(await readCluster(lab), claim.uid);
  });

  it.each([1, 2, 3])('dies after write %i, restarts, retries createNode: converges to one host, one IP, one data Secret', async (k) => {
    expect(k).toBeLessThanOrEqual(CREATE_WRITES);
    const claim = aClaim();
    const { writes, crashed } = await withDoomedPlugin(lab, config, k, (p) => p.createNode(claim, JOIN).catch((e: unknown) => e));
    expect({ crashed, writes }).toEqual({ crashed: true, writes: k });

    const { activation, provider } = await activateConfigured(lab, config);
    try {
      const state = await waitFor(() => provider.createNode(claim, JOIN), { timeoutMs: 5000 });
      const hostName = expectHeld(await readCluster(lab), claim.uid, { withIp: true });
      expect(state.machine.name).toBe(hostName);
      // A further retry writes nothing and changes nothing.
      const before = (await lab.getHost(hostName)).metadata.resourceVersion;
      expect((await provider.createNode(claim, JOIN)).machine.name).toBe(hostName);
      expect((await lab.getHost(hostName)).metadata.resourceVersion).toBe(before);

      await releaseFully(provider, claim);
      expectReleased(await readCluster(lab), claim.uid);
      expectHostUnclaimed(await lab.getHost(hostName));
    } finally {
      await activation.dispose();
    }
  });

  it.each([1, 2, 3])('dies after write %i, restarts, and the host gives up (deleteNode): nothing leaks', async (k) => {
    const claim = aClaim();
    await withDoomedPlugin(lab, config, k, (p) => p.createNode(claim, JOIN).catch((e: unknown) => e));
    const { activation, provider } = await activateConfigured(lab, config);
    try {
      await releaseFully(provider, claim);
    } finally {
      await activation.dispose();
    }
    expectReleased(await readCluster(lab), claim.uid);
    for (const host of (await readCluster(lab)).hosts) expectHostUnclaimed(host);
  });
});

describe('crash points in deleteNode (Metal3 simulator deprovisions for real)', () => {
  let lab: TestLab;
  let config: ProviderConfig;

  beforeAll(async () => {
    lab = await startTestLab({ simulator: true });
    await seedPlatformObjects(lab);
    await applyFleet(lab.kc, makeFleet(2, { 'cpu-epyc': 1 }, { namespace: lab.namespace }));
    config = providerConfig(lab.namespace, {
      properties: NETWORK,
      nodeTypes: [aNodeType({ resources: { cpu: '64', memory: '512Gi' }, matchLabels: { 'node-role': 'cpu-worker' } })],
    });
    const { activation, provider } = await activateConfigured(lab, config);
    try {
      await waitFor(async () => (await provider.nodeTypes())[0].capacity.total === 2, { timeoutMs: 15000 });
    } finally {
      await activation.dispose();
    }
  }, 30000);

  afterAll(async () => {
    await lab?.close();
  });

  /** A claim whose host is provisioned, made by a healthy activation. */
  async function provisionedClaim(): Promise<{ claim: NodeClaimView; hostName: string }> {
    const claim = aClaim();
    const { activation, provider } = await activateConfigured(lab, config);
    try {
      const state = await provider.createNode(claim, JOIN);
      await waitFor(async () => (await provider.getNode(claim))?.phase === 'Provisioned', { timeoutMs: 10000 });
      return { claim, hostName: state.machine.name };
    } finally {
      await activation.dispose();
    }
  }

  /** Polls deleteNode through the proxy until it is Released or the proxy has crashed. */
  const pollDelete = (claim: NodeClaimView) => async (p: NodeProvider, proxy: CrashProxy) => {
    for (let i = 0; i < 800 && !proxy.crashed; i++) {
      const state = await p.deleteNode(claim).catch(() => undefined);
      if (state?.phase === 'Released') return 'Released';
      await sleep(25);
    }
    return proxy.crashed ? 'crashed' : 'timeout';
  };

  it('an undisturbed release makes a known number of writes (stop host, unclaim host, IP, the data Secret)', async () => {
    const { claim, hostName } = await provisionedClaim();
    const { result, writes } = await withDoomedPlugin(lab, config, undefined, pollDelete(claim));
    expect(result).toBe('Released');
    expect(writes).toBe(RELEASE_WRITES);
    expectReleased(await readCluster(lab), claim.uid);
    expectHostUnclaimed(await lab.getHost(hostName));
  }, 20000);

  it.each([1, 2, 3, 4])('dies after write %i, restarts, retries deleteNode: released with nothing left', async (k) => {
    expect(k).toBeLessThanOrEqual(RELEASE_WRITES);
    const { claim, hostName } = await provisionedClaim();
    const { result, writes } = await withDoomedPlugin(lab, config, k, pollDelete(claim));
    expect(writes).toBe(k);
    // After the last write the answer may reach the caller before the "death": Released is fine then.
    expect(k === RELEASE_WRITES ? ['crashed', 'Released'] : ['crashed']).toContain(result);

    const { activation, provider } = await activateConfigured(lab, config);
    try {
      await releaseFully(provider, claim);
    } finally {
      await activation.dispose();
    }
    expectReleased(await readCluster(lab), claim.uid);
    const host = await lab.getHost(hostName);
    expectHostUnclaimed(host);
    expect(host.status?.provisioning?.state).toBe('available');
  }, 20000);
});
