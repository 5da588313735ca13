import { describe, expect, it } from '@jest/globals';
import type { Requirement } from '../../../../platform/autoNodes/config.js';
import { effectiveCost, pickNodeType, type NodeTypeCandidate } from '../../../../platform/scheduling/pickNodeType.js';
import { satisfies } from '../../../../platform/scheduling/requirements.js';

const type = (name: string, extra: Partial<NodeTypeCandidate> = {}): NodeTypeCandidate => ({
  name: `m3.${name}`, providerRef: 'm3', properties: {}, resources: { cpu: '8', memory: '32Gi' },
  capacity: { total: 2, claimed: 0 }, ...extra,
});

describe('requirement matching against properties', () => {
  const props = { zone: 'a,b', gpus: '8', any: '*', empty: '' };
  it.each<[string, Requirement, boolean]>([
    ['In matches one of a comma list', { key: 'zone', operator: 'In', values: ['b'] }, true],
    ['In misses', { key: 'zone', operator: 'In', values: ['c'] }, false],
    ['In on missing key', { key: 'nope', operator: 'In', values: ['a'] }, false],
    ['In on wildcard', { key: 'any', operator: 'In', values: ['whatever'] }, true],
    ['NotIn when some offered value is outside', { key: 'zone', operator: 'NotIn', values: ['a'] }, true],
    ['NotIn when all offered values excluded', { key: 'zone', operator: 'NotIn', values: ['a', 'b'] }, false],
    ['NotIn on missing key', { key: 'nope', operator: 'NotIn', values: ['a'] }, true],
    ['NotIn on wildcard', { key: 'any', operator: 'NotIn', values: ['x'] }, true],
    ['Exists', { key: 'empty', operator: 'Exists' }, true],
    ['Exists missing', { key: 'nope', operator: 'Exists' }, false],
    ['DoesNotExist', { key: 'nope', operator: 'DoesNotExist' }, true],
    ['DoesNotExist present', { key: 'gpus', operator: 'DoesNotExist' }, false],
    ['Gt true', { key: 'gpus', operator: 'Gt', values: ['4'] }, true],
    ['Gt equal is false', { key: 'gpus', operator: 'Gt', values: ['8'] }, false],
    ['Lt true', { key: 'gpus', operator: 'Lt', values: ['9'] }, true],
    ['Lt false', { key: 'gpus', operator: 'Lt', values: ['8'] }, false],
    ['Gt on non-integer property', { key: 'zone', operator: 'Gt', values: ['1'] }, false],
    ['Gt on missing key', { key: 'nope', operator: 'Gt', values: ['1'] }, false],
  ])('%s', (_n, req, expected) => {
    expect(satisfies(props, req)).toBe(expected);
  });
});

describe('pickNodeType', () => {
  const req = (reqs: Requirement[] = [], desiredCapacity?: Record<string, string>) => ({ providerRef: 'm3', requirements: reqs, desiredCapacity });

  it('picks the cheapest matching type', () => {
    const r = pickNodeType(req(), [type('big', { cost: 50 }), type('small', { cost: 10 }), type('mid', { cost: 20 })]);
    expect(r.ok && r.nodeType.name).toBe('m3.small');
  });

  it('breaks cost ties by name', () => {
    const r = pickNodeType(req(), [type('b', { cost: 5 }), type('a', { cost: 5 })]);
    expect(r.ok && r.nodeType.name).toBe('m3.a');
  });

  it('ignores other providers', () => {
    const r = pickNodeType(req(), [type('x', { providerRef: 'other', name: 'other.x', cost: 1 }), type('y', { cost: 9 })]);
    expect(r.ok && r.nodeType.name).toBe('m3.y');
  });

  it('matches built-in properties: node-type by full or short name, os, zone, capacity-type', () => {
    const types = [type('a', { cost: 1 }), type('b', { cost: 2 })];
    for (const value of ['b', 'm3.b']) {
      const r = pickNodeType(req([{ key: 'vcluster.com/node-type', operator: 'In', values: [value] }]), types);
      expect(r.ok && r.nodeType.name).toBe('m3.b');
    }
    const r = pickNodeType(req([
      { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
      { key: 'topology.kubernetes.io/zone', operator: 'In', values: ['global'] },
      { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
      { key: 'node.kubernetes.io/instance-type', operator: 'NotIn', values: ['m3.a', 'a'] },
    ]), types);
    expect(r.ok && r.nodeType.name).toBe('m3.b');
  });

  it('reports NoMatchingNodeType when requirements exclude everything', () => {
    const r = pickNodeType(req([{ key: 'gpu-model', operator: 'In', values: ['h100'] }]), [type('a', { properties: { 'gpu-model': 'a100' } })]);
    expect(r).toMatchObject({ ok: false, reason: 'NoMatchingNodeType' });
    expect(r.ok ? '' : r.message).toContain('gpu-model In [h100]');
  });

  it('reports InsufficientCapacity when matching types are full, and skips full types', () => {
    const full = type('cheap', { cost: 1, capacity: { total: 1, claimed: 1 } });
    expect(pickNodeType(req(), [full])).toMatchObject({ ok: false, reason: 'InsufficientCapacity' });
    const r = pickNodeType(req(), [full, type('dear', { cost: 9 })]);
    expect(r.ok && r.nodeType.name).toBe('m3.dear');
  });

  it('honours desiredCapacity', () => {
    const r = pickNodeType(req([], { cpu: '16', memory: '64Gi' }), [type('small', { cost: 1 }), type('large', { cost: 5, resources: { cpu: '32', memory: '128Gi' } })]);
    expect(r.ok && r.nodeType.name).toBe('m3.large');
  });

  it('never picks an extended-resource type unless asked', () => {
    const gpu = type('gpu', { cost: 1, resources: { cpu: '8', memory: '32Gi', 'nvidia.com/gpu': '8' } });
    const cpu = type('cpu', { cost: 100 });
    expect(pickNodeType(req(), [gpu, cpu])).toMatchObject({ ok: true, nodeType: { name: 'm3.cpu' } });
    expect(pickNodeType(req(), [gpu])).toMatchObject({ ok: false, reason: 'NoMatchingNodeType' });
    expect(pickNodeType(req([], { 'nvidia.com/gpu': '1' }), [gpu, cpu])).toMatchObject({ ok: true, nodeType: { name: 'm3.gpu' } });
    expect(pickNodeType(req([{ key: 'nvidia.com/gpu', operator: 'Exists' }]), [gpu, cpu])).toMatchObject({ ok: true, nodeType: { name: 'm3.gpu' } });
    expect(pickNodeType(req([{ key: 'vcluster.com/node-type', operator: 'In', values: ['gpu'] }]), [gpu, cpu]))
      .toMatchObject({ ok: true, nodeType: { name: 'm3.gpu' } });
  });

  it('computes the default cost: 10 per CPU, 2 per GB memory, 10000 per other resource', () => {
    expect(effectiveCost(type('x', { resources: { cpu: '4', memory: '8G', 'nvidia.com/gpu': '2' } }))).toBe(40 + 16 + 20000);
    expect(effectiveCost(type('x', { cost: 7 }))).toBe(7);
  });
});
