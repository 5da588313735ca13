import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { whyIneligible, whyNotFree } from '../../../providers/metal3/hosts/eligibility.js';
import { FreeHostIndex, MAX_FITS } from '../../../providers/metal3/hosts/freeIndex.js';
import { IndexedSet } from '../../../providers/metal3/hosts/indexedSet.js';
import { nodeTypeFit } from '../../../providers/metal3/hosts/nodeTypeFit.js';
import { pickFree, type FreePickContext } from '../../../providers/metal3/hosts/pickFree.js';
import { ANNOTATION, LABEL } from '../../../providers/metal3/names.js';
import type { Metal3NodeTypeSpec } from '../../../providers/metal3/spec.js';
import type { BareMetalHost } from '../../../providers/metal3/types.js';
import { aBareMetalHost } from '../../support/builders.js';

/** A free host of class `gpu` (8 GPUs) or `cpu` (none); `cpu` cores and `labels` as given. */
function host(name: string, opts: { gpu?: string; cpu?: number; labels?: Record<string, string>; state?: string } = {}): BareMetalHost {
  return aBareMetalHost(name, {
    metadata: {
      labels: opts.labels ?? { class: 'cpu' },
      annotations: opts.gpu ? { [ANNOTATION.extendedResources]: JSON.stringify({ 'nvidia.com/gpu': opts.gpu }) } : {},
    },
    status: { provisioning: { state: opts.state ?? 'available' }, hardware: { cpu: { count: opts.cpu ?? 32 }, ramMebibytes: 65536 } },
  });
}

/** The same host as a new version (the cache replaces the object on every change). */
function changed(h: BareMetalHost, edit: (copy: BareMetalHost) => void): BareMetalHost {
  const copy = structuredClone(h);
  edit(copy);
  return copy;
}

const nodeType: Metal3NodeTypeSpec = {
  name: 'big',
  resources: { cpu: '16', 'nvidia.com/gpu': '4' },
  bareMetalHosts: { selector: { matchLabels: { class: 'gpu' } } },
};
const fit = nodeTypeFit(nodeType);

function indexOf(hosts: BareMetalHost[]): FreeHostIndex {
  const index = new FreeHostIndex();
  for (const h of hosts) index.put(h);
  return index;
}

function ctx(claimUid: string, exclude: ReadonlySet<string> = new Set(), tenant?: string): FreePickContext {
  return { claimUid, claimTenant: tenant, exclude };
}

function names(index: FreeHostIndex): string[] {
  const view = index.fitting(fit);
  return Array.from({ length: view.size }, (_, i) => view.at(i).metadata.name).sort();
}

const gpu = (n: number) => host(`gpu-${n}`, { labels: { class: 'gpu' }, gpu: '8' });

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
  const hosts = [...Array.from({ length: 50 }, (_, i) => gpu(i)), host('cpu-0'), host('small', { labels: { class: 'gpu' }, gpu: '2' })];

  it('chooses only hosts that whyIneligible accepts for the node type', () => {
    const index = indexOf(hosts);
    for (let i = 0; i < 100; i++) {
      const chosen = pickFree(index.fitting(fit), ctx(`claim-${i}`));
      expect(chosen).toBeDefined();
      expect(whyIneligible(chosen!, { nodeType })).toBeUndefined();
    }
  });

  it('skips excluded hosts and returns undefined when nothing fits', () => {
    const index = indexOf([gpu(1), host('small', { labels: { class: 'gpu' }, gpu: '2' }), host('cpu-0')]);
    expect(pickFree(index.fitting(fit), ctx('a'))?.metadata.name).toBe('gpu-1');
    expect(pickFree(index.fitting(fit), ctx('a', new Set(['gpu-1'])))).toBeUndefined();
  });

  it('is deterministic per claim and spreads different claims over the fleet', () => {
    const index = indexOf(hosts);
    expect(pickFree(index.fitting(fit), ctx('same'))).toBe(pickFree(index.fitting(fit), ctx('same')));
    const chosen = new Set(Array.from({ length: 40 }, (_, i) => pickFree(index.fitting(fit), ctx(`claim-${i}`))!.metadata.name));
    expect(chosen.size).toBeGreaterThan(20);
  });

  it('finds the one fitting host among hundreds of free hosts of other node types', () => {
    const index = indexOf([...Array.from({ length: 500 }, (_, i) => host(`cpu-${i}`)), gpu(7)]);
    expect(index.fitting(fit).size).toBe(1);
    expect(pickFree(index.fitting(fit), ctx('x'), 4)?.metadata.name).toBe('gpu-7');
  });

  it('finds a usable host past a sample window of excluded ones', () => {
    const index = indexOf(Array.from({ length: 100 }, (_, i) => gpu(i)));
    const exclude = new Set(Array.from({ length: 99 }, (_, i) => `gpu-${i}`));
    expect(pickFree(index.fitting(fit), ctx('x', exclude), 4)?.metadata.name).toBe('gpu-99');
  });

  it('refuses an uncleaned host that last served another tenant, and gives it to that tenant', () => {
    const uncleaned = changed(gpu(1), (h) => {
      h.spec.automatedCleaningMode = 'disabled';
      h.metadata.annotations = { ...h.metadata.annotations, [ANNOTATION.lastTenant]: 'p-b/tenant-b' };
    });
    const index = indexOf([uncleaned]);
    expect(pickFree(index.fitting(fit), ctx('a', new Set(), 'p-a/tenant-a'))).toBeUndefined();
    expect(whyIneligible(uncleaned, { nodeType, claimTenant: 'p-a/tenant-a' })).toMatch(/automatedCleaningMode is disabled/);
    expect(pickFree(index.fitting(fit), ctx('b', new Set(), 'p-b/tenant-b'))).toBe(uncleaned);
    expect(pickFree(index.fitting(fit), { ...ctx('a', new Set(), 'p-a/tenant-a'), allowUncleanedReuse: true })).toBe(uncleaned);
  });

  it('property: over any fleet, picks exactly when whyIneligible accepts some free host, and only such a host', () => {
    const arbHost = fc.record({
      cls: fc.constantFrom('gpu', 'cpu'),
      gpus: fc.constantFrom(undefined, '2', '8'),
      cpu: fc.constantFrom(8, 32),
      state: fc.constantFrom('available', 'provisioned'),
      uncleanedFor: fc.constantFrom(undefined, 'p-a/tenant-a', 'p-b/tenant-b'),
    });
    fc.assert(
      fc.property(fc.array(arbHost, { maxLength: 40 }), fc.string(), fc.constantFrom('p-a/tenant-a', 'p-b/tenant-b'), (specs, uid, tenant) => {
        const fleet = specs.map((s, i) => {
          const h = host(`h-${i}`, { labels: { class: s.cls }, gpu: s.gpus, cpu: s.cpu, state: s.state });
          if (s.uncleanedFor) {
            h.spec.automatedCleaningMode = 'disabled';
            h.metadata.annotations = { ...h.metadata.annotations, [ANNOTATION.lastTenant]: s.uncleanedFor };
          }
          return h;
        });
        const accepted = fleet.filter((h) => !whyIneligible(h, { nodeType, claimTenant: tenant }));
        const chosen = pickFree(indexOf(fleet).fitting(fit), ctx(uid, new Set(), tenant), 3);
        if (accepted.length === 0) expect(chosen).toBeUndefined();
        else expect(accepted).toContain(chosen);
      }),
    );
  });
});

describe('FreeHostIndex', () => {
  it('moves a host into and out of a node type as its labels change', () => {
    const index = indexOf([gpu(1), host('cpu-1', { gpu: '8' })]);
    expect(names(index)).toEqual(['gpu-1']);
    index.put(changed(host('cpu-1', { gpu: '8' }), (h) => (h.metadata.labels = { class: 'gpu' })));
    expect(names(index)).toEqual(['cpu-1', 'gpu-1']);
    index.put(changed(gpu(1), (h) => (h.metadata.labels = { class: 'storage' })));
    expect(names(index)).toEqual(['cpu-1']);
  });

  it('follows a host whose inspected hardware changes', () => {
    const few = host('gpu-1', { labels: { class: 'gpu' }, gpu: '8', cpu: 8 });
    const index = indexOf([few]);
    expect(names(index)).toEqual([]);
    const more = changed(few, (h) => (h.status!.hardware = { cpu: { count: 64 }, ramMebibytes: 65536 }));
    index.put(more);
    expect(names(index)).toEqual(['gpu-1']);
    expect(pickFree(index.fitting(fit), ctx('x'))).toBe(more);
    index.put(changed(more, (h) => delete h.status!.hardware));
    expect(names(index)).toEqual([]);
  });

  it('applies a changed cleaning mode to the next pick (the tenant rule reads the current host)', () => {
    const uncleaned = changed(gpu(1), (h) => {
      h.spec.automatedCleaningMode = 'disabled';
      h.metadata.annotations = { ...h.metadata.annotations, [ANNOTATION.lastTenant]: 'p-b/tenant-b' };
    });
    const index = indexOf([uncleaned]);
    expect(pickFree(index.fitting(fit), ctx('a', new Set(), 'p-a/tenant-a'))).toBeUndefined();
    const cleaned = changed(uncleaned, (h) => (h.spec.automatedCleaningMode = 'metadata'));
    index.put(cleaned);
    expect(pickFree(index.fitting(fit), ctx('a', new Set(), 'p-a/tenant-a'))).toBe(cleaned);
  });

  it('drops a host from every node type when it is claimed, and takes it back when released', () => {
    const free = gpu(1);
    const index = indexOf([free]);
    expect(names(index)).toEqual(['gpu-1']);
    const claimed = changed(free, (h) => {
      h.metadata.labels = { ...h.metadata.labels, [LABEL.nodeClaim]: 'uid-1' };
      h.spec.consumerRef = { apiVersion: 'management.loft.sh/v1', kind: 'NodeClaim', name: 'c1', namespace: 'p-a', uid: 'uid-1' };
    });
    index.put(claimed);
    expect(whyNotFree(claimed)).toBeDefined();
    expect(names(index)).toEqual([]);
    expect(index.all().size).toBe(0);
    const released = changed(free, () => undefined);
    index.put(released);
    expect(names(index)).toEqual(['gpu-1']);
    expect(pickFree(index.fitting(fit), ctx('x'))).toBe(released);
    index.delete('gpu-1');
    expect(names(index)).toEqual([]);
  });

  it('builds a node type from the free hosts when first asked for, and keeps it up to date afterwards', () => {
    const index = indexOf([gpu(1), host('cpu-1')]);
    const cpuType = nodeTypeFit({ name: 'cpu', resources: { cpu: '16' }, bareMetalHosts: { selector: { matchLabels: { class: 'cpu' } } } });
    expect(index.fitting(cpuType).size).toBe(1);
    index.put(host('cpu-2'));
    expect(index.fitting(cpuType).size).toBe(2);
    expect(index.fitting(fit).size).toBe(1);
  });

  it('keeps at most MAX_FITS node types, dropping the least recently asked for', () => {
    const index = indexOf([gpu(1)]);
    const first = index.fitting(fit);
    for (let i = 0; i < MAX_FITS; i++) {
      index.fitting(nodeTypeFit({ ...nodeType, name: `t${i}`, resources: { cpu: String(i + 1) } }));
    }
    // `fit` was the least recently asked for: its set was dropped, and a new ask builds a fresh one.
    index.put(gpu(2));
    expect(first.size).toBe(1);
    expect(index.fitting(fit).size).toBe(2);
  });
});
