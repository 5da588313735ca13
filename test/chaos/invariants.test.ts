/** The chaos run's checks on hand-made snapshots: each one must catch what it is for. */
import { describe, expect, it } from '@jest/globals';
import type { ClusterSnapshot } from './cluster.js';
import { checkClean, checkConverged, checkExclusive, checkLeaks, PROVISIONING_ERROR } from './invariants.js';
import { checkConsolidated, checkPodsServed, checkPoolLimits, recordHeldHosts } from './poolInvariants.js';
import { checkOutage, checkSitePlacement, checkSiteTypes, observeOutage, withoutSite, type Outage } from './siteInvariants.js';

function snapshot(over: Partial<ClusterSnapshot> = {}): ClusterSnapshot {
  return {
    hosts: [{ name: 'h1', site: '', state: 'provisioned', claimLabel: 'u1', consumerUid: 'u1', claimAnnotations: ['metal3.vcluster.com/tenant'] }, { name: 'h2', site: '', state: 'available', claimAnnotations: [] }],
    claims: [{ namespace: 'p', name: 'c1', uid: 'u1', tenant: 't', pool: 'cpu', phase: 'Available', deleting: false }],
    reservations: [{ name: 'r1', claimUid: 'u1', ip: 'pool/10.0.0.2' }],
    secrets: [{ name: 'c1-u1-user-data', claimUid: 'u1' }],
    tokens: [{ name: 'bootstrap-token-aaaaaa', claimUid: 'u1', tenant: 't' }],
    nodeTypes: [],
    pods: [],
    ...over,
  };
}
const desired = new Map([['p/t', new Map([['cpu', 1]])]]);

describe('chaos invariants', () => {
  it('accept a consistent cluster', () => {
    const s = snapshot();
    expect(checkExclusive(s)).toEqual([]);
    expect(checkLeaks(s, new Map(), 0, 0)).toEqual([]);
    expect(checkConverged(s, desired, new Set())).toEqual([]);
  });

  it('catch a host with two claims, a claim with two hosts, an IP reserved twice and a duplicate token', () => {
    const s = snapshot({
      hosts: [{ name: 'h1', site: '', state: 'provisioned', claimLabel: 'u1', consumerUid: 'u2', claimAnnotations: [] }, { name: 'h2', site: '', state: 'provisioned', claimLabel: 'u1', consumerUid: 'u1', claimAnnotations: [] }],
      reservations: [{ name: 'r1', claimUid: 'u1', ip: 'pool/10.0.0.2' }, { name: 'r2', claimUid: 'u2', ip: 'pool/10.0.0.2' }],
      tokens: [{ name: 'bootstrap-token-a', claimUid: 'u1', tenant: 't' }, { name: 'bootstrap-token-b', claimUid: 'u1', tenant: 't' }],
    });
    const found = checkExclusive(s).join('\n');
    expect(found).toMatch(/h1 carries two claims/);
    expect(found).toMatch(/uid u1 holds 2 hosts/);
    expect(found).toMatch(/IP pool\/10.0.0.2 reserved 2 times/);
    expect(found).toMatch(/u1 has 2 join tokens/);
    expect(found).not.toMatch(/bootstrap-token-[ab]\.[a-z0-9]/); // names only, never token values
  });

  it('report leaks only after the grace window, and forget orphans that went away', () => {
    const s = snapshot({ claims: [] });
    const seen = new Map<string, number>();
    expect(checkLeaks(s, seen, 1000, 5000)).toEqual([]);
    expect(checkLeaks(s, seen, 7000, 5000).length).toBe(5); // host mark ×2 (label, consumerRef), reservation, Secret, token
    expect(checkLeaks(snapshot(), seen, 8000, 5000)).toEqual([]);
    expect(seen.size).toBe(0);
    expect(checkLeaks(s, new Map(), 0, 0, new Set(['u1']))).toEqual([]);
  });

  it('require convergence, honoured pools, and Failed with BMO errorType on a faulted host', () => {
    expect(checkConverged(snapshot({ claims: [{ ...snapshot().claims[0], phase: 'Pending' }] }), desired, new Set())[0]).toMatch(/did not converge \(phase Pending, host h1 is provisioned/);
    expect(checkConverged(snapshot(), new Map([['p/t', new Map([['cpu', 2]])]]), new Set())).toEqual(['pool p/t/cpu has 1 claims, wants 2']);
    expect(checkConverged(snapshot(), desired, new Set(['h1']))[0]).toMatch(/has a provisioning fault, but is Available/);
    const failed = snapshot({ claims: [{ ...snapshot().claims[0], phase: 'Failed', reason: PROVISIONING_ERROR }] });
    expect(checkConverged(failed, desired, new Set(['h1']))).toEqual([]);
    expect(checkConverged(failed, desired, new Set())[0]).toMatch(/Failed \(provisioning error\) though no provisioning fault hit its host h1/);
  });

  it('after teardown, find every leftover', () => {
    expect(checkClean(snapshot({ claims: [], hosts: [{ name: 'h2', site: '', state: 'available', claimAnnotations: [] }], reservations: [], secrets: [], tokens: [] }))).toEqual([]);
    expect(checkClean(snapshot()).length).toBe(7); // claim, h1 not available, h1 label, h1 annotations, reservation, Secret, token
  });

  it('let the dynamic-pool tenants own claims no static pool asked for', () => {
    const dyn = snapshot({ claims: [...snapshot().claims, { namespace: 'p', name: 'd1', uid: 'u9', tenant: 'dyn', pool: 'burst', phase: 'Available', deleting: false }] });
    expect(checkConverged(dyn, desired, new Set())).toEqual(['NodeClaim p/d1 belongs to no requested tenant (dyn)']);
    expect(checkConverged(dyn, desired, new Set(), new Set(['p/dyn']))).toEqual([]);
  });
});

describe('chaos invariants for dynamic pools', () => {
  const limits = new Map([['p/dyn/burst', { nodes: 2, 'nvidia.com/gpu': 8 }]]);
  const types: ClusterSnapshot['nodeTypes'] = [
    { name: 'm3.gpu', zone: 'site-a', resources: { cpu: 224, memory: 2e12, 'nvidia.com/gpu': 8 }, synced: true },
    { name: 'm3.cpu', zone: 'site-a', resources: { cpu: 384, memory: 8e11 }, synced: true },
  ];
  const claim = (name: string, typeRef: string, over: Partial<ClusterSnapshot['claims'][number]> = {}) =>
    ({ namespace: 'p', name, uid: `u-${name}`, tenant: 'dyn', pool: 'burst', typeRef, phase: 'Available', deleting: false, ...over });

  it('count existing and in-flight claims of a pool against limits.nodes and resource limits, Failed ones not (as the platform counts)', () => {
    const within = snapshot({ nodeTypes: types, claims: [claim('a', 'm3.gpu'), claim('b', 'm3.cpu', { phase: 'Pending' }), claim('c', 'm3.gpu', { phase: 'Failed' })] });
    expect(checkPoolLimits(within, limits)).toEqual([]);
    const tooMany = snapshot({ nodeTypes: types, claims: [claim('a', 'm3.cpu'), claim('b', 'm3.cpu', { phase: 'Pending' }), claim('c', 'm3.cpu', { deleting: true })] });
    expect(checkPoolLimits(tooMany, limits)).toEqual(['dynamic pool p/dyn/burst is beyond limits.nodes=2: 3 across 3 claim(s) (a m3.cpu, b m3.cpu, c m3.cpu)']);
    const tooManyGpus = snapshot({ nodeTypes: types, claims: [claim('a', 'm3.gpu'), claim('b', 'm3.gpu', { phase: 'Provisioning' })] });
    expect(checkPoolLimits(tooManyGpus, limits)).toEqual(['dynamic pool p/dyn/burst is beyond limits.nvidia.com/gpu=8: 16 across 2 claim(s) (a m3.gpu, b m3.gpu)']);
  });

  it('find a pod that fits a node type but is not served, and let one that fits none wait', () => {
    const pod = (name: string, phase: string, requests: Record<string, number>) => ({ tenant: 'dyn', name, phase, requests: { ...requests, pods: 1 }, deleting: false });
    const s = snapshot({
      nodeTypes: types,
      pods: [pod('ran', 'Succeeded', { cpu: 1 }), pod('runs', 'Running', { 'nvidia.com/gpu': 8 }), pod('waits', 'Pending', { cpu: 4, 'nvidia.com/gpu': 4 }), pod('huge', 'Pending', { 'nvidia.com/gpu': 16 })],
    });
    expect(checkPodsServed(s)).toEqual(['pod dyn/waits fits a node type but is Pending, unbound (requests cpu=4, nvidia.com/gpu=4)']);
  });

  it('after the pods are gone, find a pool claim still there and a consolidated claim\'s host not back to available', () => {
    const held = new Map<string, string>();
    const running = snapshot({
      nodeTypes: types, claims: [claim('a', 'm3.gpu'), claim('b', 'm3.cpu')],
      hosts: [{ name: 'g1', site: 'site-a', state: 'provisioned', claimLabel: 'u-a', consumerUid: 'u-a', claimAnnotations: [] }, { name: 'c1', site: 'site-a', state: 'provisioned', claimLabel: 'u-b', consumerUid: 'u-b', claimAnnotations: [] }],
    });
    recordHeldHosts(running, limits, held);
    expect([...held]).toEqual([['u-a', 'g1'], ['u-b', 'c1']]);
    const after = snapshot({
      nodeTypes: types, claims: [claim('b', 'm3.cpu', { deleting: true }), { ...snapshot().claims[0], uid: 'u-s' }],
      hosts: [{ name: 'g1', site: 'site-a', state: 'deprovisioning', claimAnnotations: [] }, { name: 'c1', site: 'site-a', state: 'provisioned', claimLabel: 'u-b', consumerUid: 'u-b', claimAnnotations: [] }],
    });
    expect(checkConsolidated(after, limits, held)).toEqual([
      'NodeClaim p/b of dynamic pool p/dyn/burst is still there (phase Available, deleting) though its pods are gone',
      'BareMetalHost g1 of consolidated claim u-a is not back to available (state deprovisioning, claim -)',
    ]);
    // Back to available, or taken by another live claim: both fine.
    const done = snapshot({ nodeTypes: types, claims: [{ ...snapshot().claims[0], uid: 'u-s' }], hosts: [
      { name: 'g1', site: 'site-a', state: 'available', claimAnnotations: [] }, { name: 'c1', site: 'site-a', state: 'provisioning', claimLabel: 'u-s', consumerUid: 'u-s', claimAnnotations: [] },
    ] });
    expect(checkConsolidated(done, limits, held)).toEqual([]);
  });
});

describe('chaos invariants for sites', () => {
  const types: ClusterSnapshot['nodeTypes'] = [
    { name: 'm3.a-cpu', zone: 'site-a', resources: {}, synced: true },
    { name: 'm3.b-cpu', zone: 'site-b', resources: {}, synced: false },
  ];
  const host = (name: string, site: string, uid: string) => ({ name, site, state: 'provisioned', claimLabel: uid, consumerUid: uid, claimAnnotations: [] });

  it('catch a claim held in one site that is claimed again in another', () => {
    const s = snapshot({
      nodeTypes: types,
      claims: [{ namespace: 'p', name: 'c1', uid: 'u1', tenant: 't', pool: 'cpu-b', typeRef: 'm3.b-cpu', phase: 'Provisioning', deleting: false }],
      hosts: [host('site-b-cpu-1', 'site-b', 'u1'), host('site-a-cpu-1', 'site-a', 'u1')],
    });
    expect(checkSitePlacement(s)).toEqual(['NodeClaim p/c1 of m3.b-cpu (zone site-b) holds BareMetalHost site-a-cpu-1 in site site-a']);
    expect(checkExclusive(s)).toEqual(['NodeClaim uid u1 holds 2 hosts: site-a-cpu-1, site-b-cpu-1']);
    expect(checkSitePlacement(snapshot({ nodeTypes: types, claims: s.claims, hosts: [host('site-b-cpu-1', 'site-b', 'u1')] }))).toEqual([]);
  });

  it('require a site that is out to show its NodeTypes Unavailable, and the others Synced', () => {
    const s = snapshot({ nodeTypes: types });
    expect(checkSiteTypes(s, ['site-a', 'site-b'], new Set(['site-b']))).toEqual([]);
    expect(checkSiteTypes(s, ['site-a', 'site-b'], new Set())).toEqual(['NodeType m3.b-cpu shows Synced false though site site-b is up']);
    expect(checkSiteTypes(s, ['site-a', 'site-b'], new Set(['site-a', 'site-b']))).toEqual(['NodeType m3.a-cpu shows Synced true though site site-a is out']);
  });

  it('fail an outage a leader had time to notice whose NodeTypes never showed Unavailable', () => {
    const o: Outage = { site: 'site-a', startedAt: 0, seenUnavailable: false, leaderMs: 0 };
    observeOutage(o, snapshot({ nodeTypes: types }), 1, 2000);
    observeOutage(o, snapshot({ nodeTypes: types }), 0, 5000); // no leader: that time does not count
    observeOutage(o, snapshot({ nodeTypes: types }), 1, 2000);
    o.endedAt = 9000;
    expect(o.leaderMs).toBe(4000);
    expect(checkOutage(o, 3000)).toEqual(['site site-a was out for 9.0 s (4.0 s of it with a leader) and its NodeTypes never showed Unavailable']);
    expect(checkOutage({ ...o, leaderMs: 2000 }, 3000)).toEqual([]);
    observeOutage(o, snapshot({ nodeTypes: types.map((t) => ({ ...t, synced: false })) }), 1, 250);
    expect(checkOutage(o, 3000)).toEqual([]);
  });

  it('leave out, while a site is out, the claims bound to it (by NodeType, by static pool before scheduling, or deleted unscheduled: released in every site)', () => {
    const s = snapshot({ nodeTypes: types, claims: [
      { namespace: 'p', name: 'a', uid: 'ua', tenant: 't', pool: 'cpu-a', typeRef: 'm3.a-cpu', phase: 'Available', deleting: false },
      { namespace: 'p', name: 'b', uid: 'ub', tenant: 't', pool: 'cpu-b', typeRef: 'm3.b-cpu', phase: 'Provisioning', deleting: false },
      { namespace: 'p', name: 'w', uid: 'uw', tenant: 't', pool: 'cpu-b', phase: 'Pending', deleting: false },
      { namespace: 'p', name: 'd', uid: 'ud', tenant: 't', pool: 'cpu-a', phase: 'Pending', deleting: true },
      { namespace: 'p', name: 'e', uid: 'ue', tenant: 't', pool: 'cpu-a', typeRef: 'm3.a-cpu', phase: 'Available', deleting: true },
    ] });
    expect(withoutSite(s, 'site-b', (c) => (c.pool === 'cpu-b' ? 'site-b' : 'site-a')).claims.map((c) => c.name)).toEqual(['a', 'e']);
  });
});
