import { describe, expect, it } from '@jest/globals';
import { buildFleetSnapshot, currentStep } from '../../../platform/dashboard/fleetSnapshot.js';
import { aCondition, aMachine, aNodeClaim, aNodeTypeObject, fleetInputs, PROVIDER } from './builders.js';

const TOKEN = 'abcdef.0123456789abcdef';

describe('the dashboard snapshot', () => {
  it('counts hosts by site and node type: total, claimed, free and by provisioning state', () => {
    const snapshot = buildFleetSnapshot(fleetInputs({
      nodeTypes: [aNodeTypeObject('gpu', { displayName: 'DGX H100' }), aNodeTypeObject('cpu', { zone: 'zone-b' })],
      hosts: [
        aMachine('gpu-1'), aMachine('gpu-2', { state: 'provisioned', poweredOn: true, claimUid: 'uid-c1' }),
        aMachine('gpu-3', { state: 'available', error: { type: 'provisioning error', message: 'boom' } }),
        aMachine('cpu-1', { nodeType: 'cpu' }), aMachine('cpu-2', { nodeType: 'cpu', state: 'inspecting' }),
      ],
      nodeClaims: [aNodeClaim('c1', { uid: 'uid-c1' })],
    }));
    expect(snapshot.fleet).toEqual([
      { site: 'global', nodeType: `${PROVIDER}.gpu`, displayName: 'DGX H100', total: 3, claimed: 1, free: 1, byState: { available: 2, provisioned: 1 } },
      { site: 'zone-b', nodeType: `${PROVIDER}.cpu`, total: 2, claimed: 0, free: 1, byState: { available: 1, inspecting: 1 } },
    ]);
  });

  it("puts a host in its own zone before its node type's", () => {
    const snapshot = buildFleetSnapshot(fleetInputs({ nodeTypes: [aNodeTypeObject('gpu', { zone: 'dc-1' })], hosts: [aMachine('a', { zone: 'dc-2' }), aMachine('b')] }));
    expect(snapshot.hosts.map((h) => [h.name, h.site])).toEqual([['b', 'dc-1'], ['a', 'dc-2']]);
  });

  it("joins each claimed host to its claim and tenant, and keeps BMO's error with the token scrubbed", () => {
    const snapshot = buildFleetSnapshot(fleetInputs({
      hosts: [aMachine('gpu-1', { claimUid: 'uid-c1', network: 'p-demo-tenant-1', error: { type: 'provisioning error', message: `checksum mismatch for ${TOKEN}` } })],
      nodeClaims: [aNodeClaim('c1', { uid: 'uid-c1', phase: 'Failed', reason: 'provisioning error', message: `deploy failed ${TOKEN}` })],
    }));
    expect(snapshot.hosts[0]).toMatchObject({
      name: 'gpu-1', tenant: 'p-demo/tenant-1', network: 'p-demo-tenant-1',
      claim: { name: 'c1', namespace: 'p-demo', phase: 'Failed' },
      error: { type: 'provisioning error', message: 'checksum mismatch for [REDACTED]' },
    });
    expect(snapshot.tenants[0].claims[0]).toMatchObject({ phase: 'Failed', reason: 'provisioning error', message: 'deploy failed [REDACTED]', host: 'gpu-1' });
    expect(JSON.stringify(snapshot)).not.toContain(TOKEN);
  });

  it('groups claims by tenant with their conditions and the step they are in', () => {
    const snapshot = buildFleetSnapshot(fleetInputs({
      nodeClaims: [
        aNodeClaim('b', { vCluster: 'tenant-2', conditions: [aCondition('Scheduled', 'True', '2026-12-01T09:51:00Z'), aCondition('Launched', 'True', '2026-12-01T09:52:00Z'), aCondition('Provisioned', 'False', '2026-12-01T09:52:00Z', 'Provisioning')] }),
        aNodeClaim('a', { vCluster: 'tenant-1' }),
      ],
    }));
    expect(snapshot.tenants.map((t) => [t.key, t.claims.map((c) => c.name)])).toEqual([['p-demo/tenant-1', ['a']], ['p-demo/tenant-2', ['b']]]);
    expect(snapshot.tenants[1].claims[0]).toMatchObject({
      phase: 'Pending', step: { name: 'Provisioned', since: '2026-12-01T09:52:00.000Z' }, createdAt: '2026-12-01T09:50:00.000Z',
      conditions: [{ type: 'Scheduled', status: 'True' }, { type: 'Launched', status: 'True' }, { type: 'Provisioned', status: 'False', reason: 'Provisioning' }],
    });
  });

  it('names the step of a joined, a new and a deleted claim', () => {
    const joined = aNodeClaim('j', { conditions: ['Scheduled', 'Launched', 'Provisioned', 'Joined'].map((t, i) => aCondition(t, 'True', `2026-12-01T09:5${i}:00Z`)) });
    expect(currentStep(joined)).toEqual({ name: 'Joined', since: '2026-12-01T09:53:00.000Z' });
    expect(currentStep(aNodeClaim('n'))).toEqual({ name: 'Scheduled', since: '2026-12-01T09:50:00.000Z' });
    expect(currentStep(aNodeClaim('d', { deletionTimestamp: '2026-12-01T09:59:00Z' }))).toEqual({ name: 'Deleting', since: '2026-12-01T09:59:00.000Z' });
  });

  it("shows a NodeType's published capacity when its provider lists no machines", () => {
    const snapshot = buildFleetSnapshot(fleetInputs({ nodeTypes: [aNodeTypeObject('gpu', { capacity: { total: 5, claimed: 2 } })], hosts: [] }));
    expect(snapshot.fleet).toEqual([{ site: 'global', nodeType: `${PROVIDER}.gpu`, total: 5, claimed: 2, free: 3, byState: {} }]);
  });

  it('lists the latest recorded events, newest first, as the recorder keeps them', () => {
    const events = Array.from({ length: 60 }, (_, i) => ({
      object: { apiVersion: 'management.loft.sh/v1', kind: 'NodeClaim', name: `c${i}`, namespace: 'p-demo' },
      type: 'Normal' as const, reason: 'Launched', message: `m${i}`, at: '2026-12-01T09:00:00.000Z', count: 1,
    }));
    const snapshot = buildFleetSnapshot(fleetInputs({ events }));
    expect(snapshot.events).toHaveLength(50);
    expect(snapshot.events[0]).toEqual({ at: '2026-12-01T09:00:00.000Z', type: 'Normal', reason: 'Launched', object: 'NodeClaim p-demo/c0', message: 'm0', count: 1 });
  });
});
