/**
 * The claim-independent part of whyIneligible for a free host and one node type: its selector and its
 * resources. A free-host index keeps one set of fitting hosts per `key`, so `key` names exactly what
 * `fits` depends on (two node types with the same selector and resources share it).
 */
import type { Metal3NodeTypeSpec } from '../spec.js';
import type { BareMetalHost } from '../types.js';
import { fitsParsed, hostResources, parseRequirements } from './resources.js';
import { matchesLabelSelector } from './selector.js';

export interface NodeTypeFit {
  readonly key: string;
  fits(host: BareMetalHost): boolean;
}

/**
 * Parses the node type's `resources` once (InvalidConfigurationError on `NodeType <name>` when malformed).
 * A host's hardware is read afresh at each call: the index calls `fits` once per host version and fit, and a
 * memo per host would keep a parsed copy of every host's hardware (1.4 MiB per 10,000 hosts). A node type that
 * lists any resources (even only non-hardware ones) refuses a host whose hardware is unknown, as whyIneligible does.
 */
export function nodeTypeFit(nodeType: Metal3NodeTypeSpec): NodeTypeFit {
  const selector = nodeType.bareMetalHosts?.selector;
  const requirements = parseRequirements(nodeType.resources, `NodeType ${nodeType.name}`);
  const needsHardware = Object.keys(nodeType.resources ?? {}).length > 0;
  return {
    key: JSON.stringify([selector ?? null, nodeType.resources ?? null]),
    fits(host) {
      if (!matchesLabelSelector(host.metadata?.labels, selector)) return false;
      if (!needsHardware) return true;
      const { resources } = hostResources(host);
      return resources !== undefined && fitsParsed(resources, requirements).ok;
    },
  };
}
