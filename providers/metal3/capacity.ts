/**
 * nodeTypes(): every configured type with its capacity, read from the host cache.
 * - claimed: hosts held by a claim of this type (annotation `metal3.vcluster.com/node-type`; a host
 *   claimed before that annotation existed counts for every type whose selector it matches).
 * - total: claimed + hosts that are eligible for the type right now (available, matching the
 *   selector, enough resources, no error, not paused/detached/externally provisioned/being deleted).
 *   Hosts in error, busy with something else, or claimed for another type are not counted.
 * The free part is the size of the host cache's index of free hosts fitting the type (FreeHostIndex): a
 * nodeTypes() call costs O(node types + claimed hosts), not O(node types × hosts), and builds each type's
 * index before its first claim.
 */
import type { NodeTypeView } from '../../plugin/contract.js';
import type { Metal3NodeTypeSpec } from './spec.js';
import type { ProviderSettings } from './config.js';
import { matchesLabelSelector } from './hosts/selector.js';
import { ANNOTATION } from './names.js';
import { mergeProperties } from './properties.js';
import type { BareMetalHost } from './types.js';

/** What capacity is counted from: the host cache (HostCache), or NO_HOSTS while nothing is known. */
export interface CountedHosts {
  /** The free hosts that fit `nodeType` (selector and resources, as whyIneligible with uncleaned reuse allowed). */
  freeFor(nodeType: Metal3NodeTypeSpec): { readonly size: number };
  /** The hosts carrying a claim label. */
  claimed(): Iterable<BareMetalHost>;
}

export const NO_HOSTS: CountedHosts = { freeFor: () => ({ size: 0 }), claimed: () => [] };

export function nodeTypeViews(settings: ProviderSettings, hosts: CountedHosts): NodeTypeView[] {
  return [...settings.nodeTypes.values()].map((nodeType) => ({
    name: nodeType.name,
    ...(nodeType.displayName !== undefined ? { displayName: nodeType.displayName } : {}),
    properties: mergeProperties([
      { source: 'provider', properties: settings.properties },
      { source: 'nodeType', properties: nodeType.properties },
    ]).properties,
    resources: { ...nodeType.resources },
    ...(nodeType.overhead !== undefined ? { overhead: nodeType.overhead } : {}),
    ...(nodeType.cost !== undefined ? { cost: nodeType.cost } : {}),
    ...(nodeType.metadata !== undefined ? { metadata: nodeType.metadata } : {}),
    capacity: capacityOf(nodeType, hosts),
  }));
}

function capacityOf(nodeType: Metal3NodeTypeSpec, hosts: CountedHosts) {
  let claimed = 0;
  for (const host of hosts.claimed()) {
    const claimType = host.metadata.annotations?.[ANNOTATION.nodeType];
    const counts = claimType ? claimType === nodeType.name : matchesLabelSelector(host.metadata.labels, nodeType.bareMetalHosts?.selector);
    if (counts) claimed++;
  }
  return { total: hosts.freeFor(nodeType).size + claimed, claimed };
}
