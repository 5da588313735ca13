/**
 * nodeTypes(): every configured type with its capacity, read from the host cache.
 * - claimed: hosts held by a claim of this type (annotation `metal3.vcluster.com/node-type`; a host
 *   claimed before that annotation existed counts for every type whose selector it matches).
 * - total: claimed + hosts that are eligible for the type right now (available, matching the
 *   selector, enough resources, no error, not paused/detached/externally provisioned/being deleted).
 *   Hosts in error, busy with something else, or claimed for another type are not counted.
 */
import type { NodeTypeView } from '../../plugin/contract.js';
import type { Metal3NodeTypeSpec } from './spec.js';
import type { ProviderSettings } from './config.js';
import { whyIneligible } from './hosts/eligibility.js';
import { matchesLabelSelector } from './hosts/selector.js';
import { ANNOTATION, LABEL } from './names.js';
import { mergeProperties } from './properties.js';
import type { BareMetalHost } from './types.js';

export function nodeTypeViews(settings: ProviderSettings, hosts: readonly BareMetalHost[]): NodeTypeView[] {
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

function capacityOf(nodeType: Metal3NodeTypeSpec, hosts: readonly BareMetalHost[]) {
  let free = 0;
  let claimed = 0;
  for (const host of hosts) {
    if (host.metadata.labels?.[LABEL.nodeClaim]) {
      const claimType = host.metadata.annotations?.[ANNOTATION.nodeType];
      const counts = claimType ? claimType === nodeType.name : matchesLabelSelector(host.metadata.labels, nodeType.bareMetalHosts?.selector);
      if (counts) claimed++;
    } else if (!whyIneligible(host, { nodeType, allowUncleanedReuse: true })) {
      free++;
    }
  }
  return { total: free + claimed, claimed };
}
