import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { nodeTypeViews, type CountedHosts } from '../../providers/metal3/capacity.js';
import type { ProviderSettings } from '../../providers/metal3/config.js';
import { whyIneligible } from '../../providers/metal3/hosts/eligibility.js';
import { FreeHostIndex } from '../../providers/metal3/hosts/freeIndex.js';
import { nodeTypeFit } from '../../providers/metal3/hosts/nodeTypeFit.js';
import { ANNOTATION, LABEL } from '../../providers/metal3/names.js';
import type { Metal3NodeTypeSpec } from '../../providers/metal3/spec.js';
import type { BareMetalHost } from '../../providers/metal3/types.js';
import { aBareMetalHost, aNodeType } from '../support/builders.js';

const gpuType = aNodeType({ name: 'gpu', resources: { cpu: '64', 'nvidia.com/gpu': '8' }, matchLabels: { class: 'gpu' } });
const cpuType = aNodeType({ name: 'cpu', resources: { cpu: '16' }, matchLabels: { class: 'cpu' } });
const settings = { properties: {}, nodeTypes: new Map([[gpuType.name, gpuType], [cpuType.name, cpuType]]) } as unknown as ProviderSettings;

/** The host cache's two answers, over a FreeHostIndex as HostCache keeps it. */
function counted(hosts: BareMetalHost[]): CountedHosts {
  const index = new FreeHostIndex();
  for (const h of hosts) index.put(h);
  return {
    freeFor: (nodeType: Metal3NodeTypeSpec) => index.fitting(nodeTypeFit(nodeType)),
    claimed: () => hosts.filter((h) => h.metadata.labels?.[LABEL.nodeClaim]),
  };
}

/** The definition: claimed hosts of the type (by annotation, else selector) plus free hosts whyIneligible accepts. */
function expected(nodeType: Metal3NodeTypeSpec, hosts: BareMetalHost[]) {
  const claimedHosts = hosts.filter((h) => h.metadata.labels?.[LABEL.nodeClaim]);
  const claimed = claimedHosts.filter((h) => {
    const type = h.metadata.annotations?.[ANNOTATION.nodeType];
    return type ? type === nodeType.name : h.metadata.labels?.class === nodeType.bareMetalHosts?.selector?.matchLabels?.class;
  }).length;
  const free = hosts.filter((h) => !h.metadata.labels?.[LABEL.nodeClaim] && !whyIneligible(h, { nodeType, allowUncleanedReuse: true })).length;
  return { total: free + claimed, claimed };
}

describe('node type capacity', () => {
  it('property: counts the free hosts whyIneligible accepts plus the claimed hosts of the type', () => {
    const arbHost = fc.record({
      cls: fc.constantFrom('gpu', 'cpu'),
      gpus: fc.constantFrom(undefined, '8'),
      cpu: fc.constantFrom(8, 96),
      state: fc.constantFrom('available', 'provisioned'),
      claim: fc.constantFrom(undefined, 'gpu', 'cpu', ''),
      uncleaned: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(arbHost, { maxLength: 30 }), (specs) => {
        const hosts = specs.map((s, i) => {
          const annotations: Record<string, string> = {};
          if (s.gpus) annotations[ANNOTATION.extendedResources] = JSON.stringify({ 'nvidia.com/gpu': s.gpus });
          if (s.uncleaned) annotations[ANNOTATION.lastTenant] = 'p-other/tenant-z';
          if (s.claim) annotations[ANNOTATION.nodeType] = s.claim;
          const labels: Record<string, string> = { class: s.cls };
          if (s.claim !== undefined) labels[LABEL.nodeClaim] = `uid-${i}`;
          return aBareMetalHost(`h-${i}`, {
            metadata: { labels, annotations },
            spec: s.uncleaned ? { automatedCleaningMode: 'disabled' } : {},
            status: { provisioning: { state: s.state }, hardware: { cpu: { count: s.cpu }, ramMebibytes: 65536 } },
          });
        });
        const views = nodeTypeViews(settings, counted(hosts));
        expect(views.map((v) => v.capacity)).toEqual([expected(gpuType, hosts), expected(cpuType, hosts)]);
      }),
    );
  });
});
