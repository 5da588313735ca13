/** The chaos run's checks on hand-made snapshots: each one must catch what it is for. */
import { describe, expect, it } from '@jest/globals';
import type { ClusterSnapshot } from './cluster.js';
import { checkClean, checkConverged, checkExclusive, checkLeaks, PROVISIONING_ERROR } from './invariants.js';

function snapshot(over: Partial<ClusterSnapshot> = {}): ClusterSnapshot {
  return {
    hosts: [{ name: 'h1', state: 'provisioned', claimLabel: 'u1', consumerUid: 'u1', claimAnnotations: ['metal3.vcluster.com/tenant'] }, { name: 'h2', state: 'available', claimAnnotations: [] }],
    claims: [{ namespace: 'p', name: 'c1', uid: 'u1', tenant: 't', pool: 'cpu', phase: 'Available', deleting: false }],
    reservations: [{ name: 'r1', claimUid: 'u1', ip: 'pool/10.0.0.2' }],
    secrets: [{ name: 'c1-u1-user-data', claimUid: 'u1' }],
    tokens: [{ name: 'bootstrap-token-aaaaaa', claimUid: 'u1', tenant: 't' }],
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
      hosts: [{ name: 'h1', state: 'provisioned', claimLabel: 'u1', consumerUid: 'u2', claimAnnotations: [] }, { name: 'h2', state: 'provisioned', claimLabel: 'u1', consumerUid: 'u1', claimAnnotations: [] }],
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
    expect(checkClean(snapshot({ claims: [], hosts: [{ name: 'h2', state: 'available', claimAnnotations: [] }], reservations: [], secrets: [], tokens: [] }))).toEqual([]);
    expect(checkClean(snapshot()).length).toBe(7); // claim, h1 not available, h1 label, h1 annotations, reservation, Secret, token
  });
});
