/** Which site serves which node type: a type's own clusterRef wins, each site gets only its types. */
import { describe, expect, it } from '@jest/globals';
import type { ProviderConfig } from '../../../plugin/contract.js';
import { validateProviderConfig } from '../../../providers/metal3/config.js';
import { siteLayouts } from '../../../providers/metal3/sites/siteLayout.js';
import { aNodeType } from '../../support/builders.js';

function aConfig(nodeTypes: unknown[], clusterRef: unknown = { cluster: 'site-a', namespace: 'metal3-system' }): ProviderConfig {
  return { name: 'metal3-provider', spec: { properties: { 'vcluster.com/os-image': 'ubuntu-noble' }, metal3: { clusterRef, nodeTypes } } };
}
const layoutsOf = (config: ProviderConfig) => siteLayouts(config, validateProviderConfig(config));

describe('site layout', () => {
  it('puts types without their own clusterRef in the provider\'s site, zoned by its cluster', () => {
    const [site] = layoutsOf(aConfig([aNodeType({ name: 'cpu' }), aNodeType({ name: 'gpu' })]));
    expect(site).toMatchObject({ key: 'site-a/metal3-system', field: 'spec.metal3.clusterRef.cluster' });
    expect([...site.zones]).toEqual([['cpu', 'site-a'], ['gpu', 'site-a']]);
  });

  it('gives a type with its own clusterRef its own site, naming the field that put it there', () => {
    const layouts = layoutsOf(aConfig([
      aNodeType({ name: 'cpu-a' }),
      { ...aNodeType({ name: 'cpu-b' }), clusterRef: { cluster: 'site-b', namespace: 'bmo' } },
    ]));
    expect(layouts.map((l) => [l.key, l.field])).toEqual([
      ['site-a/metal3-system', 'spec.metal3.clusterRef.cluster'],
      ['site-b/bmo', 'spec.metal3.nodeTypes[1].clusterRef.cluster'],
    ]);
    const siteB = layouts[1].config.spec.metal3 as { clusterRef: unknown; nodeTypes: { name: string; clusterRef?: unknown }[] };
    expect(siteB.clusterRef).toEqual({ cluster: 'site-b', namespace: 'bmo' });
    expect(siteB.nodeTypes.map((t) => t.name)).toEqual(['cpu-b']);
    expect(siteB.nodeTypes[0].clusterRef).toBeUndefined();
  });

  it('lets a type\'s zone override its cluster name, and leaves the zone unset without a cluster', () => {
    const [site] = layoutsOf(aConfig([{ ...aNodeType({ name: 'cpu' }), zone: 'eu-west-1a' }, aNodeType({ name: 'gpu' })], { namespace: 'metal3-system' }));
    expect([...site.zones]).toEqual([['cpu', 'eu-west-1a'], ['gpu', undefined]]);
  });

  it('rejects a bad type clusterRef or zone naming the field', () => {
    expect(() => layoutsOf(aConfig([{ ...aNodeType({ name: 'cpu' }), clusterRef: { cluster: 'Site_B' } }])))
      .toThrow('NodeProvider metal3-provider: spec.metal3.nodeTypes[0].clusterRef.namespace: is required');
    expect(() => layoutsOf(aConfig([{ ...aNodeType({ name: 'cpu' }), clusterRef: { cluster: 'Site_B', namespace: 'ns' } }])))
      .toThrow('spec.metal3.nodeTypes[0].clusterRef.cluster: "Site_B" is not a valid Cluster name');
    expect(() => layoutsOf(aConfig([{ ...aNodeType({ name: 'cpu' }), zone: 'a/b' }])))
      .toThrow('spec.metal3.nodeTypes[0].zone: "a/b" is not a valid label value');
  });
});
