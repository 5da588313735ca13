import { describe, expect, it } from '@jest/globals';
import { whyIneligible, whyNotFree } from '../../../providers/metal3/hosts/eligibility.js';
import { IndexedSet } from '../../../providers/metal3/hosts/indexedSet.js';
import { pickFree, type FreePickContext } from '../../../providers/metal3/hosts/pickFree.js';
import { HostResourceMemo, parseRequirements } from '../../../providers/metal3/hosts/resources.js';
import type { Metal3NodeTypeSpec } from '../../../providers/metal3/spec.js';
import type { BareMetalHost } from '../../../providers/metal3/types.js';

type Host = BareMetalHost;

function host(name: string, opts: { gpu?: string; cpu?: number; labels?: Record<string, string>; state?: string } = {}): Host {
  return {
    metadata: {
      name,
      labels: opts.labels ?? { class: 'cpu' },
      annotations: opts.gpu ? { 'metal3.vcluster.com/extended-resources': JSON.stringify({ 'nvidia.com/gpu': opts.gpu }) } : {},
    },
    spec: { online: false },
    status: { provisioning: { state: opts.state ?? 'available' }, hardware: { cpu: { count: opts.cpu ?? 32 }, ramMebibytes: 65536 } },
  };
}

function fleet(hosts: Host[]): IndexedSet<Host> {
  const set = new IndexedSet<Host>();
  for (const h of hosts) set.set(h.metadata.name, h);
  return set;
}

const nodeType: Metal3NodeTypeSpec = {
  name: 'big',
  resources: { cpu: '16', 'nvidia.com/gpu': '4' },
  bareMetalHosts: { selector: { matchLabels: { class: 'gpu' } } },
} as Metal3NodeTypeSpec;

function ctx(claimUid: string, exclude: Set<string> = new Set()): FreePickContext {
  const memo = new HostResourceMemo();
  return {
    claimUid,
    selector: nodeType.bareMetalHosts?.selector,
    requirements: parseRequirements(nodeType.resources),
    needsHardware: true,
    resourcesOf: (h) => memo.of(h),
    exclude,
  };
}

describe('IndexedSet', () => {
  it('keeps positions dense through deletes and replaces values in place', () => {
    const set = new IndexedSet<number>();
    for (let i = 0; i < 5; i++) set.set(`k${i}`, i);
    expect(set.delete('k1')).toBe(true);
    expect(set.delete('k1')).toBe(false);
    set.set('k4', 40);
    const values = Array.from({ length: set.size }, (_, i) => set.at(i)).sort((a, b) => a - b);
    expect(values).toEqual([0, 2, 3, 40]);
    expect(set.has('k4')).toBe(true);
    expect(set.has('k1')).toBe(false);
  });
});

describe('pickFree', () => {
  const gpu = (n: number) => host(`gpu-${n}`, { labels: { class: 'gpu' }, gpu: '8' });
  const hosts = [...Array.from({ length: 50 }, (_, i) => gpu(i)), host('cpu-0'), host('small', { labels: { class: 'gpu' }, gpu: '2' })];

  it('chooses only hosts that whyIneligible accepts for the node type', () => {
    const free = fleet(hosts);
    for (let i = 0; i < 100; i++) {
      const chosen = pickFree(free, ctx(`claim-${i}`));
      expect(chosen).toBeDefined();
      expect(whyIneligible(chosen!, { nodeType })).toBeUndefined();
    }
  });

  it('skips excluded hosts and returns undefined when nothing fits', () => {
    const free = fleet([gpu(1), host('small', { labels: { class: 'gpu' }, gpu: '2' }), host('cpu-0')]);
    expect(pickFree(free, ctx('a'))?.metadata.name).toBe('gpu-1');
    expect(pickFree(free, ctx('a', new Set(['gpu-1'])))).toBeUndefined();
  });

  it('is deterministic per claim and spreads different claims over the fleet', () => {
    const free = fleet(hosts);
    expect(pickFree(free, ctx('same'))).toBe(pickFree(free, ctx('same')));
    const chosen = new Set(Array.from({ length: 40 }, (_, i) => pickFree(free, ctx(`claim-${i}`))!.metadata.name));
    expect(chosen.size).toBeGreaterThan(20);
  });

  it('finds the one fitting host even when it is outside every sample window', () => {
    const many = Array.from({ length: 500 }, (_, i) => host(`cpu-${i}`));
    const free = fleet([...many, gpu(7)]);
    expect(pickFree(free, ctx('x'), 4)?.metadata.name).toBe('gpu-7');
  });
});

describe('whyNotFree', () => {
  it('is undefined for an available unclaimed host and names the reason otherwise', () => {
    expect(whyNotFree(host('a'))).toBeUndefined();
    expect(whyNotFree(host('b', { state: 'provisioned' }))).toMatch(/state is "provisioned"/);
    const claimed = host('c');
    claimed.metadata.labels = { 'metal3.vcluster.com/node-claim': 'u1' };
    expect(whyNotFree(claimed)).toMatch(/already claimed/);
  });
});

describe('HostResourceMemo', () => {
  it('parses once per host object and reports unknown hardware as undefined', () => {
    const memo = new HostResourceMemo();
    const h = host('a', { gpu: '8' });
    const first = memo.of(h);
    expect(first).toEqual({ cpu: 32, memoryBytes: 65536 * 2 ** 20, extended: { 'nvidia.com/gpu': 8 } });
    expect(memo.of(h)).toBe(first);
    expect(memo.of({ metadata: { name: 'bare' }, spec: { online: false } })).toBeUndefined();
  });
});
