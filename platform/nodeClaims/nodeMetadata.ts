/**
 * What a claim's tenant Node must carry (Karpenter's registration step): the NodeType's properties
 * that are valid labels (its own and the platform's built-ins, the type named by its full name), the
 * pool's nodeLabels, and the claim's taints; startupTaints only until the Node is Ready.
 */
import type { Taint } from '../autoNodes/config.js';
import { builtInProperties, type NodeTypeCandidate } from '../scheduling/pickNodeType.js';
import { isLabel } from '../tenants/labelSyntax.js';
import { claimView, type NodeClaim } from './types.js';

export interface NodeMetadata {
  labels: Record<string, string>;
  taints: Taint[];
  startupTaints: Taint[];
}

const TYPE_NAME_LABELS = ['vcluster.com/node-type', 'node.kubernetes.io/instance-type'];

export function nodeMetadataFor(claim: NodeClaim, nodeType: NodeTypeCandidate | undefined): NodeMetadata {
  const fromType: Record<string, string> = {};
  if (nodeType) {
    const builtIns = builtInProperties(nodeType);
    for (const key of TYPE_NAME_LABELS) builtIns[key] = nodeType.name;
    Object.assign(fromType, onlyLabels({ ...builtIns, ...nodeType.properties }));
  }
  return {
    labels: { ...fromType, ...onlyLabels(claimView(claim).nodeLabels ?? {}) },
    taints: claim.spec.taints ?? [],
    startupTaints: claim.spec.startupTaints ?? [],
  };
}

function onlyLabels(map: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).filter(([k, v]) => isLabel(k, v)));
}
