/**
 * Hot reload under load. First at plugin level, emulating the host's switch: new calls go to the new
 * activation, in-flight calls finish on the old one, then it is disposed — 20 cycles during a burst
 * of claim/release loops. Then through the platform's real loader (platform/host ProviderPlugin,
 * which imports each version from its own folder), a few reloads during the same kind of burst.
 * No call may fail, no claim may hold two hosts, active handles return to baseline. Memory: the heap
 * after a full collection once 20 cycles are done stays within 64 MiB of the heap after the second
 * cycle (also collected), which catches a leak per cycle of whole caches or clients, not small ones.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NodeClaimView, NodeProvider, PluginActivation, ProviderConfig } from '../../plugin/contract.js';
import { activate } from '../../plugin/index.js';
import { ProviderPlugin } from '../../platform/host/providerPlugin.js';
import { startTestLab, type TestLab } from '../support/lab.js';
import { CPU_HOST, providerConfig, recordingHost, seedPlatformObjects } from '../providers/helpers.js';
import { expectReleased, readCluster } from './invariants.js';
import { aClaim, JOIN } from '../support/builders.js';
import { sleep, waitFor } from '../support/waitFor.js';
import { heapUsedAfterGc } from '../support/heap.js';
import { copyPackage } from '../platform/host/helpers.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const HOSTS = 6;
const WORKERS = 4;
const CYCLES = 20;
const HEAP_MARGIN_BYTES = 64 * 2 ** 20;

function countByType(resources: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of resources) counts.set(r, (counts.get(r) ?? 0) + 1);
  return counts;
}

async function backToBaseline(baseline: string[], timeoutMs = 5000): Promise<void> {
  const before = countByType(baseline);
  const within = () => [...countByType(process.getActiveResourcesInfo())].every(([type, n]) => n <= (before.get(type) ?? 0));
  await waitFor(within, { what: `handles back to baseline ${JSON.stringify(baseline)}`, timeoutMs, everyMs: 50 });
}

/** Claim/release loops on `provider()` until `stop()`; every call must succeed and hold exactly one host. */
async function burst(lab: TestLab, provider: () => NodeProvider, stop: () => boolean) {
  const failures: string[] = [];
  const claims: NodeClaimView[] = [];
  const worker = async () => {
    while (!stop()) {
      const claim = aClaim();
      claims.push(claim);
      try {
        await provider().createNode(claim, JOIN);
        const held = await lab.custom.listNamespacedCustomObject({
          group: 'metal3.io', version: 'v1alpha1', plural: 'baremetalhosts', namespace: lab.namespace, labelSelector: `metal3.vcluster.com/node-claim=${claim.uid}`,
        }) as { items: unknown[] };
        if (held.items.length !== 1) failures.push(`${claim.name} holds ${held.items.length} hosts`);
        for (let i = 0; i < 100 && (await provider().deleteNode(claim)).phase !== 'Released'; i++);
      } catch (err) {
        failures.push(`${claim.name}: ${(err as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, worker));
  return { failures, claims };
}

describe('hot reload under load', () => {
  let lab: TestLab;
  let config: ProviderConfig;
  let baseline: string[];

  beforeAll(async () => {
    lab = await startTestLab();
    await seedPlatformObjects(lab);
    for (let i = 1; i <= HOSTS; i++) await lab.createHost(`reload-${i}`, { ...CPU_HOST });
    config = providerConfig(lab.namespace, { properties: { 'vcluster.com/os-image': 'ubuntu-noble', 'metal3.vcluster.com/network-cidr': '10.95.0.1/24' } });
    await sleep(100);
    baseline = process.getActiveResourcesInfo();
  });

  afterAll(async () => {
    await lab?.close();
  });

  it(`${CYCLES} activate/switch/drain/dispose cycles during a burst: no failed or doubled call, handles back to baseline, heap bounded`, async () => {
    type Version = { activation: PluginActivation; inFlight: Set<Promise<unknown>> };
    const start = async (): Promise<Version> => {
      const activation = await activate(recordingHost(lab.kc));
      await activation.provider.configure(config);
      return { activation, inFlight: new Set() };
    };
    let current = await start();
    // What the host's switch does: each call runs on the version current when it starts.
    const routed = (): NodeProvider => {
      const version = current;
      const track = <T>(p: Promise<T>) => {
        version.inFlight.add(p);
        const done = () => void version.inFlight.delete(p);
        p.then(done, done);
        return p;
      };
      const p = version.activation.provider;
      return {
        configure: (c) => track(p.configure(c)),
        createNode: (c, j, s) => track(p.createNode(c, j, s)),
        deleteNode: (c, s) => track(p.deleteNode(c, s)),
        getNode: (c) => track(p.getNode(c)),
        listNodes: () => track(p.listNodes()),
        nodeTypes: () => track(p.nodeTypes()),
      };
    };

    let cycling = true;
    const load = burst(lab, routed, () => !cycling);
    let heapAfterWarmUp = 0;
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      await sleep(30);
      const next = await start();
      const old = current;
      current = next;
      await Promise.allSettled([...old.inFlight]);
      await old.activation.dispose();
      if (cycle === 2) heapAfterWarmUp = heapUsedAfterGc();
    }
    cycling = false;
    const { failures, claims } = await load;
    await current.activation.dispose();

    expect(failures).toEqual([]);
    expect(claims.length).toBeGreaterThanOrEqual(WORKERS * 3);
    const view = await readCluster(lab);
    for (const claim of claims) expectReleased(view, claim.uid);
    await backToBaseline(baseline);
    expect(heapUsedAfterGc()).toBeLessThan(heapAfterWarmUp + HEAP_MARGIN_BYTES);
  }, 60000);

  it('through the platform loader: reloads during a burst drain in-flight calls; nothing fails or leaks', async () => {
    await mkdir(join(REPO_ROOT, '.lab'), { recursive: true });
    const root = await mkdtemp(join(REPO_ROOT, '.lab', 'reliability-reload-'));
    await copyPackage(REPO_ROOT, join(root, 'package'));
    const host = recordingHost(lab.kc);
    const plugin = new ProviderPlugin({
      registration: { name: 'metal3-provider', path: join(root, 'package') },
      pluginsRoot: join(root, 'state', 'plugins'),
      kubeConfig: lab.kc,
      logger: host.logger,
      events: host.events,
      drainTimeoutMs: 10_000,
      versionPollMs: 0,
    });
    let reloads = 0;
    try {
      await plugin.start();
      await plugin.provider.configure(config);
      let reloading = true;
      const load = burst(lab, () => plugin.provider, () => !reloading);
      for (; reloads < 3; reloads++) {
        await sleep(150);
        await plugin.reload();
      }
      reloading = false;
      const { failures, claims } = await load;
      expect(failures).toEqual([]);
      expect(claims.length).toBeGreaterThanOrEqual(WORKERS);
      const view = await readCluster(lab);
      for (const claim of claims) expectReleased(view, claim.uid);
      expect(host.events.recorded.filter((e) => e.reason === 'PluginActivationFailed')).toEqual([]);
    } finally {
      await plugin.stop();
      await rm(root, { recursive: true, force: true });
    }
    expect(reloads).toBe(3);
    await backToBaseline(baseline);
  }, 60000);
});
