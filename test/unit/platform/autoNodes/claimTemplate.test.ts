import { describe, expect, it } from '@jest/globals';
import { claimForPool, surplusClaims } from '../../../../platform/autoNodes/claimTemplate.js';
import type { NodeClaim } from '../../../../platform/nodeClaims/types.js';

const claim = (name: string, created: string, phase?: 'Pending' | 'Available' | 'Failed', deleting = false): NodeClaim => ({
  metadata: { name, creationTimestamp: created as unknown as Date, ...(deleting ? { deletionTimestamp: created as unknown as Date } : {}) },
  spec: { providerRef: 'm3' },
  status: phase ? { phase } : undefined,
});

describe('surplusClaims', () => {
  const claims = [
    claim('old-joined', '2026-01-01T00:00:00Z', 'Available'),
    claim('new-joined', '2026-01-03T00:00:00Z', 'Available'),
    claim('old-pending', '2026-01-01T00:00:00Z', 'Pending'),
    claim('new-failed', '2026-01-04T00:00:00Z', 'Failed'),
    claim('gone', '2026-01-05T00:00:00Z', 'Pending', true),
  ];
  it('deletes not-joined claims first (newest first), then the newest joined', () => {
    expect(surplusClaims(claims, 3).map((c) => c.metadata.name)).toEqual(['new-failed']);
    expect(surplusClaims(claims, 2).map((c) => c.metadata.name)).toEqual(['new-failed', 'old-pending']);
    expect(surplusClaims(claims, 1).map((c) => c.metadata.name)).toEqual(['new-failed', 'old-pending', 'new-joined']);
  });
  it('deletes claims preferred for deletion first, by condition or annotation, before the usual order', () => {
    const byCondition = claim('old-joined-preferred', '2026-01-01T00:00:00Z', 'Available');
    byCondition.status!.conditions = [{ type: 'PreferredDeletion', status: 'True', reason: 'Operator', message: 'x', lastTransitionTime: '2026-01-02T00:00:00Z' }];
    const byAnnotation = { ...claim('older-joined-preferred', '2025-12-01T00:00:00Z', 'Available') };
    byAnnotation.metadata.annotations = { 'vcluster.loft.sh/preferred-deletion': 'true' };
    const notPreferred = claim('old-joined-not-preferred', '2026-01-01T00:00:00Z', 'Available');
    notPreferred.status!.conditions = [{ type: 'PreferredDeletion', status: 'False', reason: 'No', message: 'x', lastTransitionTime: '2026-01-02T00:00:00Z' }];
    const all = [...claims, byCondition, byAnnotation, notPreferred];
    expect(surplusClaims(all, all.length - 1 - 3).map((c) => c.metadata.name)).toEqual(['old-joined-preferred', 'older-joined-preferred', 'new-failed']);
  });
  it('keeps Ready nodes longest among joined claims: NotReady ones go first, then drifted ones', () => {
    const withCondition = (c: NodeClaim, type: string, status: 'True' | 'False') => {
      c.status!.conditions = [{ type, status, reason: type, message: '', lastTransitionTime: '2026-01-02T00:00:00Z' }];
      return c;
    };
    const ready = claim('new-ready', '2026-01-09T00:00:00Z', 'Available');
    const drifted = withCondition(claim('old-drifted', '2026-01-01T00:00:00Z', 'Available'), 'NotDrifted', 'False');
    const sick = withCondition(claim('old-not-ready', '2026-01-01T00:00:00Z', 'Available'), 'NodeReady', 'False');
    expect(surplusClaims([ready, drifted, sick], 2).map((c) => c.metadata.name)).toEqual(['old-not-ready']);
    expect(surplusClaims([ready, drifted, sick], 1).map((c) => c.metadata.name)).toEqual(['old-not-ready', 'old-drifted']);
  });
  it('counts claims being deleted as gone and never deletes below target', () => {
    expect(surplusClaims(claims, 4)).toEqual([]);
    expect(surplusClaims(claims, 9)).toEqual([]);
  });
});

describe('claimForPool', () => {
  it('builds labels, owner, requirements, overlaid properties, taints, node labels and grace period', () => {
    const c = claimForPool({ name: 'vc', namespace: 'p-a', uid: 'u1' },
      { provider: 'm3', properties: { a: '1', b: '1' }, static: [], dynamic: [] },
      { name: 'gpu', quantity: 1, requirements: [{ key: 'k', operator: 'In', values: ['v'] }], properties: { b: '2' },
        taints: [{ key: 't', effect: 'NoSchedule' }], nodeLabels: { role: 'x' } });
    expect(c.metadata).toMatchObject({
      generateName: 'vc-gpu-', namespace: 'p-a',
      labels: { 'vcluster.loft.sh/vcluster': 'vc', 'vcluster.loft.sh/node-pool': 'gpu', 'vcluster.loft.sh/provider': 'm3' },
      annotations: { 'vcluster.loft.sh/node-labels': '{"role":"x"}', 'vcluster.loft.sh/termination-grace-period': '30s' },
      ownerReferences: [{ kind: 'VirtualClusterInstance', name: 'vc', uid: 'u1', controller: true }],
    });
    expect(c.spec).toEqual({
      providerRef: 'm3', vClusterRef: 'vc', requirements: [{ key: 'k', operator: 'In', values: ['v'] }],
      properties: { a: '1', b: '2' }, taints: [{ key: 't', effect: 'NoSchedule' }],
    });
  });
});
