/**
 * Which site (cluster + namespace of the BareMetalHosts) serves which node type. A type's own
 * `clusterRef` wins over `spec.metal3.clusterRef`; each site gets the provider's configuration cut down
 * to its types, so one single-site provider serves it unchanged. Pure.
 */
import type { ProviderConfig } from '../../../plugin/contract.js';
import type { ClusterRef, Metal3NodeTypeSpec } from '../spec.js';
import type { ProviderSettings } from '../config.js';

export interface SiteLayout {
  /** `<cluster>/<namespace>`; the management cluster has an empty cluster part. */
  key: string;
  clusterRef: ClusterRef;
  /** The field that named the cluster, for messages: `spec.metal3.clusterRef.cluster` or a type's own. */
  field: string;
  /** The provider's configuration restricted to this site's types (clusterRef is the site's). */
  config: ProviderConfig;
  /** The site's node types and the zone each one publishes. */
  zones: ReadonlyMap<string, string | undefined>;
}

export const siteKey = (ref: ClusterRef) => `${ref.cluster ?? ''}/${ref.namespace}`;

/** The sites of a validated configuration, in the order their first type appears. */
export function siteLayouts(config: ProviderConfig, settings: ProviderSettings): SiteLayout[] {
  const metal3 = settings.metal3;
  const sites = new Map<string, { clusterRef: ClusterRef; field: string; types: Metal3NodeTypeSpec[] }>();
  metal3.nodeTypes.forEach((nodeType, index) => {
    const own = nodeType.clusterRef;
    const clusterRef = own ?? metal3.clusterRef;
    const key = siteKey(clusterRef);
    if (!sites.has(key)) {
      const field = own ? `spec.metal3.nodeTypes[${index}].clusterRef.cluster` : 'spec.metal3.clusterRef.cluster';
      sites.set(key, { clusterRef: { ...clusterRef }, field, types: [] });
    }
    sites.get(key)!.types.push(nodeType);
  });
  return [...sites.entries()].map(([key, site]) => ({
    key,
    clusterRef: site.clusterRef,
    field: site.field,
    config: {
      name: config.name,
      spec: { ...config.spec, metal3: { ...metal3, clusterRef: site.clusterRef, nodeTypes: site.types.map(withoutSite) } },
    },
    zones: new Map(site.types.map((t) => [t.name, t.zone ?? site.clusterRef.cluster])),
  }));
}

function withoutSite(nodeType: Metal3NodeTypeSpec): Metal3NodeTypeSpec {
  const { clusterRef: _clusterRef, zone: _zone, ...rest } = nodeType;
  return rest;
}
