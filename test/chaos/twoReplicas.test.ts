/**
 * Two platform replicas against one lab world: only the Lease holder reconciles claims. The leader is
 * killed mid-provision (no lease release, calls aborted); the standby takes over once the lease
 * expires and every claim converges to Available with no host double-claimed and no duplicate token.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { startWorld, type World } from '../../lab/world.js';
import { REPO_ROOT } from '../platform/host/helpers.js';
import { readClusterPatiently } from './cluster.js';
import { checkExclusive, checkLeaks } from './invariants.js';
import { CHAOS_LEASE, ReplicaSet } from './replicas.js';
import { TenantDriver } from './tenants.js';
import { sleep, waitFor } from '../support/waitFor.js';

/** Waits here are long: two replicas provision real servers. */
const PATIENTLY = { timeoutMs: 60_000, everyMs: 50 };

const LEASE_MS = 3000;

describe('two platform replicas under leader election', () => {
  let world: World;
  let dir: string;
  let replicas: ReplicaSet;
  let tenants: TenantDriver;

  beforeAll(async () => {
    await mkdir(join(REPO_ROOT, '.lab'), { recursive: true });
    dir = await mkdtemp(join(REPO_ROOT, '.lab', 'replicas-'));
    world = await startWorld({ dir, timings: 'test' });
    // The world's own platform hands the lease back; the two replicas below use a short lease.
    await world.platform.stop();
    replicas = new ReplicaSet({ world, leaseDurationMs: LEASE_MS });
    tenants = new TenantDriver(world.kubeConfig, 'p-replicas');
    await tenants.ensureNamespace();
  }, 60_000);

  afterAll(async () => {
    await replicas?.stopAll();
    await world?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('runs the claim controllers on exactly one replica', async () => {
    await replicas.start('a');
    await replicas.start('b');
    expect(replicas.leaders()).toEqual(['a']);
    const lease = await world.kubeConfig.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: CHAOS_LEASE.leaseName, namespace: CHAOS_LEASE.namespace });
    expect(lease.spec?.holderIdentity).toBe(replicas.get('a')!.replicaId);
    expect(lease.spec?.leaseDurationSeconds).toBe(LEASE_MS / 1000);
    // b keeps following while a renews.
    await sleep(LEASE_MS * 1.5);
    expect(replicas.leaders()).toEqual(['a']);
  }, 30_000);

  it('the standby takes over from a killed leader mid-provision; every claim becomes Available exactly once', async () => {
    await waitFor(async () => (await readClusterPatiently(world)).hosts.every((h) => h.state === 'available'), { what: 'the fleet to be available', ...PATIENTLY });
    await tenants.create('tenant-a', [{ name: 'gpu', quantity: 2, nodeType: 'gpu-h100' }, { name: 'cpu', quantity: 2, nodeType: 'cpu' }]);
    const violations: string[] = [];
    const seenTokens = new Map<string, Set<string>>();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const s = await readClusterPatiently(world).catch(() => undefined);
        if (s) {
          violations.push(...checkExclusive(s));
          for (const t of s.tokens) seenTokens.set(t.claimUid, (seenTokens.get(t.claimUid) ?? new Set()).add(t.name));
        }
        await sleep(100);
      }
    })();
    try {
      // Mid-provision: some hosts claimed, not all claims Available yet.
      await waitFor(async () => (await readClusterPatiently(world)).hosts.some((h) => h.claimLabel), { what: 'a host to be claimed', ...PATIENTLY });
      const before = await readClusterPatiently(world);
      expect(before.claims.filter((c) => c.phase === 'Available').length).toBeLessThan(4);

      const killedAt = Date.now();
      await replicas.crash('a');
      await waitFor(() => replicas.leaders().includes('b'), { what: 'replica b to lead', ...PATIENTLY, timeoutMs: LEASE_MS * 4 });
      const takeoverMs = Date.now() - killedAt;
      // The lease must expire first (a full duration since b last saw it renewed), and b must not wait much longer.
      expect(takeoverMs).toBeGreaterThan(LEASE_MS / 3);
      expect(takeoverMs).toBeLessThan(LEASE_MS * 3);

      await waitFor(async () => {
        const s = await readClusterPatiently(world);
        return s.claims.length === 4 && s.claims.every((c) => c.phase === 'Available');
      }, { what: '4 claims Available', ...PATIENTLY, timeoutMs: 90_000 });
      const after = await readClusterPatiently(world);
      expect(checkExclusive(after)).toEqual([]);
      expect(checkLeaks(after, new Map(), Date.now(), 0)).toEqual([]);
      expect(after.hosts.filter((h) => h.claimLabel).length).toBe(4);
      const lease = await world.kubeConfig.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: CHAOS_LEASE.leaseName, namespace: CHAOS_LEASE.namespace });
      expect(lease.spec?.holderIdentity).toBe(replicas.get('b')!.replicaId);
      expect(lease.spec?.leaseTransitions).toBeGreaterThanOrEqual(1);
    } finally {
      watching = false;
      await watcher;
    }
    expect(violations).toEqual([]);
    // One token per claim over the whole run: the new leader reused what the old one issued.
    expect([...seenTokens.entries()].filter(([, names]) => names.size > 1)).toEqual([]);
  }, 120_000);

  it('a leader that cannot renew steps down before the lease could be taken over', async () => {
    const leader = replicas.leaders()[0];
    expect(leader).toBe('b');
    const lostAt = Date.now();
    world.api.faults.set({ seed: 7, errorRate: { GET: 1, UPDATE: 1, CREATE: 1 }, match: (r) => r.resource === 'leases' });
    try {
      await waitFor(() => replicas.leaders().length === 0, { what: 'the leader to step down', ...PATIENTLY, timeoutMs: LEASE_MS * 2 });
      expect(Date.now() - lostAt).toBeLessThan(LEASE_MS);
    } finally {
      world.api.faults.clear();
    }
    await waitFor(() => replicas.leaders().length === 1, { what: 'a leader again', ...PATIENTLY, timeoutMs: LEASE_MS * 3 });
  }, 30_000);
});
