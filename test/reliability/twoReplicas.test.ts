/**
 * Two replicas serving the same hosts at once (active-active through optimistic concurrency: the
 * claim is one resourceVersion-guarded write, IP reservations are create-if-absent objects). No host
 * is ever held by two claims, no IP is reserved twice, losers get InsufficientCapacity (or a
 * Transient to retry) and keep nothing; when one replica dies mid-provision the other converges
 * every claim, retried with the same claim uid.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { KubeConfig } from '@kubernetes/client-node';
import { isInsufficientCapacity, isTransient, type NodeClaimView, type NodeProvider, type PluginActivation, type ProviderConfig } from '../../plugin/contract.js';
import { activate } from '../../plugin/index.js';
import { startCrashProxy } from '../support/crash.js';
import { startTestLab, type TestLab } from '../support/lab.js';
import { CPU_HOST, providerConfig, recordingHost, seedPlatformObjects } from '../providers/helpers.js';
import { expectClusterConsistent, expectHeld, expectReleased, readCluster } from './invariants.js';
import { aClaim, JOIN } from '../support/builders.js';
import { waitFor } from '../support/waitFor.js';

const HOSTS = 6;
const NETWORK = { 'vcluster.com/os-image': 'ubuntu-noble', 'metal3.vcluster.com/network-cidr': '10.70.0.1/24' };

type Outcome = { claim: NodeClaimView; host?: string; error?: unknown };

async function replica(kubeConfig: KubeConfig, config: ProviderConfig, id: string) {
  const activation = await activate({ ...recordingHost(kubeConfig), replicaId: id });
  await activation.provider.configure(config);
  return activation;
}

async function settle(provider: NodeProvider, claim: NodeClaimView): Promise<Outcome> {
  try {
    return { claim, host: (await provider.createNode(claim, JOIN)).machine.name };
  } catch (error) {
    return { claim, error };
  }
}

/** The host retries Transient errors; InsufficientCapacity leaves the claim Pending. */
async function settleWithRetry(provider: NodeProvider, claim: NodeClaimView): Promise<Outcome> {
  return waitFor(async () => {
    const o = await settle(provider, claim);
    return (!o.error || !isTransient(o.error)) && o;
  }, { timeoutMs: 30_000 });
}

async function releaseAll(provider: NodeProvider, claims: NodeClaimView[]): Promise<void> {
  for (const claim of claims) {
    await waitFor(async () => (await provider.deleteNode(claim)).phase === 'Released', { timeoutMs: 30_000 });
  }
}

describe('two replicas', () => {
  let lab: TestLab;
  let config: ProviderConfig;
  let a: PluginActivation;
  let b: PluginActivation;

  beforeAll(async () => {
    lab = await startTestLab();
    await seedPlatformObjects(lab);
    for (let i = 1; i <= HOSTS; i++) await lab.createHost(`dup-${i}`, { ...CPU_HOST });
    config = providerConfig(lab.namespace, { properties: NETWORK });
    // Each replica has its own KubeConfig (its own connections), as two processes would.
    a = await replica(lab.api.kubeConfig({ name: 'replica-a' }), config, 'a');
    b = await replica(lab.api.kubeConfig({ name: 'replica-b' }), config, 'b');
  });

  afterAll(async () => {
    await a?.dispose();
    await b?.dispose();
    await lab?.close();
  });

  it('a burst of distinct claims on both replicas: every host at most once, every IP once, losers keep nothing', async () => {
    const claims = Array.from({ length: 2 * HOSTS }, () => aClaim());
    const outcomes = await Promise.all(claims.map((claim, i) => settleWithRetry(i % 2 ? b.provider : a.provider, claim)));
    const winners = outcomes.filter((o) => o.host);
    const losers = outcomes.filter((o) => o.error);
    expect(winners).toHaveLength(HOSTS);
    expect(new Set(winners.map((o) => o.host)).size).toBe(HOSTS);
    for (const loser of losers) expect(isInsufficientCapacity(loser.error)).toBe(true);

    const view = await readCluster(lab);
    expectClusterConsistent(view);
    for (const w of winners) expect(expectHeld(view, w.claim.uid, { withIp: true })).toBe(w.host);
    for (const l of losers) expectReleased(view, l.claim.uid);

    await releaseAll(a.provider, claims);
    for (const claim of claims) expectReleased(await readCluster(lab), claim.uid);
  });

  it('the same claim sent to both replicas at once ends up holding exactly one host', async () => {
    const claims = Array.from({ length: 3 }, () => aClaim());
    try {
      const outcomes = await Promise.all(claims.flatMap((claim) => [settleWithRetry(a.provider, claim), settleWithRetry(b.provider, claim)]));
      const view = await readCluster(lab);
      for (const claim of claims) {
        const held = expectHeld(view, claim.uid, { withIp: true });
        // Both replicas answer with the one host the claim holds.
        expect(outcomes.filter((o) => o.claim.uid === claim.uid).map((o) => o.host)).toEqual([held, held]);
      }
    } finally {
      // deleteNode releases every host carrying the claim, so a failure above leaks nothing into the next test.
      await releaseAll(b.provider, claims);
    }
    for (const claim of claims) expectReleased(await readCluster(lab), claim.uid);
  });

  it('one replica dies mid-burst; the survivor converges every claim with the same uids', async () => {
    const proxy = await startCrashProxy({ target: lab.api });
    const doomed = await replica(proxy.kubeConfig, config, 'doomed');
    const claims = Array.from({ length: HOSTS + 2 }, () => aClaim());
    try {
      const inFlight = claims.map((claim) => doomed.provider.createNode(claim, JOIN).catch((e: unknown) => e));
      // Die once a few writes have landed, while the rest of the burst is still in flight.
      await waitFor(() => proxy.writes.length >= 5, { timeoutMs: 2000, everyMs: 5 });
      proxy.crash();
      await Promise.all(inFlight);
    } finally {
      await doomed.dispose();
      await proxy.close();
    }

    const outcomes = await Promise.all(claims.map((claim) => settleWithRetry(b.provider, claim)));
    const winners = outcomes.filter((o) => o.host);
    expect(winners).toHaveLength(HOSTS);
    for (const loser of outcomes.filter((o) => o.error)) expect(isInsufficientCapacity(loser.error)).toBe(true);
    const view = await readCluster(lab);
    for (const o of outcomes) {
      if (o.host) expect(expectHeld(view, o.claim.uid, { withIp: true })).toBe(o.host);
      else expectReleased(view, o.claim.uid);
    }
    await releaseAll(b.provider, claims);
    for (const claim of claims) expectReleased(await readCluster(lab), claim.uid);
  });
});
