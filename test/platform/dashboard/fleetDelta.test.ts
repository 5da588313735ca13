/**
 * The dashboard's deltas: applying the delta of two snapshots to the first gives the second,
 * whatever rows appear, change, move or go (fast-check), and a delta carries only what changed.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { applyFleetDelta, diffFleet, isEmptyDelta } from '../../../platform/dashboard/fleetDelta.js';
import { buildFleetSnapshot } from '../../../platform/dashboard/fleetSnapshot.js';
import type { MachineView } from '../../../plugin/contract.js';
import { aMachine, aNodeClaim, aNodeTypeObject, fleetInputs } from './builders.js';

const STATES = ['available', 'provisioning', 'provisioned', 'deprovisioning', 'inspecting'] as const;

/** A fleet drawn from a small name space, so two draws share, change and drop hosts and claims. */
const aFleet = fc.record({
  hosts: fc.uniqueArray(fc.record({
    name: fc.integer({ min: 0, max: 30 }).map((i) => `host-${i}`),
    state: fc.constantFrom(...STATES),
    nodeType: fc.constantFrom('gpu', 'cpu'),
    claim: fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }),
  }), { selector: (h) => h.name, maxLength: 25 }),
  tenants: fc.array(fc.constantFrom('tenant-1', 'tenant-2', 'tenant-3'), { minLength: 9, maxLength: 9 }),
});

type Fleet = typeof aFleet extends fc.Arbitrary<infer T> ? T : never;

function snapshotOf(fleet: Fleet, at: string) {
  const machines: MachineView[] = fleet.hosts.map((h) => aMachine(h.name, { state: h.state, nodeType: h.nodeType, ...(h.claim !== undefined ? { claimUid: `uid-c${h.claim}` } : {}) }));
  const claimed = [...new Set(fleet.hosts.flatMap((h) => (h.claim === undefined ? [] : [h.claim])))];
  return buildFleetSnapshot({
    ...fleetInputs({ nodeTypes: [aNodeTypeObject('gpu', { zone: 'dc-1' }), aNodeTypeObject('cpu', { zone: 'dc-2' })], hosts: machines,
      nodeClaims: claimed.map((c) => aNodeClaim(`c${c}`, { uid: `uid-c${c}`, vCluster: fleet.tenants[c] })) }),
    now: new Date(at),
  });
}

describe('the dashboard delta', () => {
  it('turns any snapshot into any other when applied to it', () => {
    fc.assert(fc.property(aFleet, aFleet, (a, b) => {
      const before = snapshotOf(a, '2026-12-01T10:00:00Z');
      const after = snapshotOf(b, '2026-12-01T10:00:01Z');
      expect(applyFleetDelta(before, diffFleet(before, after))).toEqual(after);
    }), { numRuns: 300 });
  });

  it('carries only the hosts that changed or went, and nothing for an unchanged fleet', () => {
    const fleet = { hosts: [{ name: 'host-1', state: 'available', nodeType: 'gpu', claim: undefined }, { name: 'host-2', state: 'available', nodeType: 'gpu', claim: undefined },
      { name: 'host-3', state: 'available', nodeType: 'cpu', claim: undefined }], tenants: Array(9).fill('tenant-1') } as Fleet;
    const before = snapshotOf(fleet, '2026-12-01T10:00:00Z');
    expect(isEmptyDelta(diffFleet(before, snapshotOf(fleet, '2026-12-01T10:00:05Z')))).toBe(true);
    const moved = { ...fleet, hosts: [{ ...fleet.hosts[0], state: 'provisioning' as const }, fleet.hosts[2]] };
    const delta = diffFleet(before, snapshotOf(moved, '2026-12-01T10:00:05Z'));
    expect(delta.hosts).toEqual({ upsert: [expect.objectContaining({ name: 'host-1', state: 'provisioning' })], remove: ['metal3-provider/metal3-system/host-2'] });
    expect(delta.tenants).toEqual({ upsert: [], remove: [] });
    expect(delta.providers).toBeUndefined();
  });
});
