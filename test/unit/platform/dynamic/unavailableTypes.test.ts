/**
 * A dynamic pool plans no node on a NodeType whose site is unreachable (Synced False): its capacity is
 * only the last one known, and a claim there would wait for the site while counting against the pool's
 * limits. Found while adding site outages to the chaos run; pure (poolOption + planBatch).
 */
import { describe, expect, it } from '@jest/globals';
import type { V1Pod } from '@kubernetes/client-node';
import { validateAutoNodes } from '../../../../platform/autoNodes/validate.js';
import { planBatch } from '../../../../platform/dynamic/plan.js';
import { poolOption, type DynamicPoolRef } from '../../../../platform/dynamic/poolView.js';
import type { NodeTypeCandidate } from '../../../../platform/scheduling/pickNodeType.js';

const UNREACHABLE = 'Cluster site-b: https://127.0.0.1:1 is unreachable: ECONNREFUSED';

function aPool(): DynamicPoolRef {
  const r = validateAutoNodes([{ provider: 'm3', dynamic: [{ name: 'burst', limits: { nodes: '2' } }] }]);
  if (!r.ok) throw new Error('the pool is valid');
  return { entry: r.config.entries[0], pool: r.config.entries[0].dynamic[0] };
}

function aType(name: string, cost: number, unavailable?: string): NodeTypeCandidate {
  return {
    name: `m3.${name}`, providerRef: 'm3', properties: {}, resources: { cpu: '8', memory: '32Gi' }, cost,
    capacity: { total: 4, claimed: 0 }, ...(unavailable ? { unavailable } : {}),
  };
}

const pod = (name: string): { key: string; pod: V1Pod } => ({
  key: `default/${name}`,
  pod: { metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'c', resources: { requests: { cpu: '2', memory: '4Gi' } } }] } },
});

describe('dynamic pools and unreachable sites', () => {
  it('offer no free host of a type whose site is unreachable, whatever its last known capacity', () => {
    const option = poolOption(aPool(), [aType('site-b-cpu', 10, UNREACHABLE), aType('site-a-cpu', 20)], [], new Map());
    expect(option.types.map((t) => [t.name, t.free])).toEqual([['m3.site-b-cpu', 0], ['m3.site-a-cpu', 4]]);
  });

  it('plan the pod on a reachable type even when the unreachable one is cheaper', () => {
    const option = poolOption(aPool(), [aType('site-b-cpu', 10, UNREACHABLE), aType('site-a-cpu', 20)], [], new Map());
    const plan = planBatch([pod('p1')], [option], []);
    expect(plan.claims.map((c) => c.type.name)).toEqual(['m3.site-a-cpu']);
    expect(plan.unschedulable).toEqual([]);
  });

  it('leave the pod unschedulable, naming the unreachable type and why, when no other type fits', () => {
    const option = poolOption(aPool(), [aType('site-b-cpu', 10, UNREACHABLE)], [], new Map());
    const plan = planBatch([pod('p1')], [option], []);
    expect(plan.claims).toEqual([]);
    expect(plan.unschedulable.map((u) => u.message)).toEqual([
      `pool burst: no free host of the fitting node types (m3.site-b-cpu); unavailable: m3.site-b-cpu (${UNREACHABLE})`,
    ]);
  });
});
