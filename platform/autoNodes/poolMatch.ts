/**
 * Pure: does a pool's NodeClaim still match its pool (Karpenter's drift check)? A claim drifts when
 * - the properties its pool gives it (the provider entry's merged with the pool's) are no longer the
 *   ones in its `spec.properties`;
 * - its NodeType no longer satisfies the pool's nodeTypeSelector (a selector change the type still
 *   satisfies is no drift: bare metal is not churned for nothing), or, before it has a type, its
 *   `spec.requirements` are not the pool's any more;
 * - its Project no longer allows its NodeType.
 * Messages name the changed property keys, never their values (a property may carry user data).
 */
import type { ProjectRules } from '../projects/project.js';
import { allowsNodeType, describeAllowed } from '../projects/project.js';
import { satisfies } from '../scheduling/requirements.js';
import { describeRequirements, matchableProperties, type NodeTypeCandidate } from '../scheduling/pickNodeType.js';
import { sameJson } from '../runtime/sameJson.js';
import type { NodeClaim } from '../nodeClaims/types.js';
import type { AutoNodesEntry, Requirement } from './config.js';

export type DriftReason = 'PropertiesDrifted' | 'RequirementsDrifted' | 'NodeTypeNotAllowed';

export type DriftVerdict = { drifted: false; message: string } | { drifted: true; reason: DriftReason; message: string };

/** What a pool wants of its claims, and where the pool is written (for messages). */
export interface PoolDesire {
  /** e.g. `privateNodes.autoNodes[0].static[1]` */
  path: string;
  name: string;
  /** Static pools roll drifted claims (driftRollout.ts); dynamic ones disrupt them (dynamic/disruption.ts). */
  kind: 'static' | 'dynamic';
  requirements: Requirement[];
  properties: Record<string, string>;
}

export function poolDesire(
  entry: Pick<AutoNodesEntry, 'properties'>, pool: { name: string; requirements: Requirement[]; properties: Record<string, string> }, path: string,
  kind: PoolDesire['kind'] = 'static',
): PoolDesire {
  return { path, name: pool.name, kind, requirements: pool.requirements, properties: { ...entry.properties, ...pool.properties } };
}

export function claimDrift(
  claim: Pick<NodeClaim, 'spec'>, desired: PoolDesire, nodeType: NodeTypeCandidate | undefined, project: ProjectRules | undefined,
): DriftVerdict {
  const found: { reason: DriftReason; message: string }[] = [];
  const changed = changedKeys(claim.spec.properties ?? {}, desired.properties);
  if (changed.length > 0) {
    found.push({ reason: 'PropertiesDrifted', message: `properties changed in ${desired.path}.properties (or the provider entry's): ${changed.join(', ')}` });
  }
  if (nodeType) {
    const props = matchableProperties(nodeType);
    const unmet = desired.requirements.filter((r) => !satisfies(props, r));
    if (unmet.length > 0) {
      found.push({ reason: 'RequirementsDrifted', message: `node type ${nodeType.name} no longer satisfies ${desired.path}.nodeTypeSelector: ${describeRequirements(unmet)}` });
    }
    if (project && project.errors.length === 0 && !allowsNodeType(project, nodeType.name)) {
      found.push({ reason: 'NodeTypeNotAllowed', message: `node type ${nodeType.name} is no longer allowed in project ${project.name} (spec.allowedNodeTypes: ${describeAllowed(project)})` });
    }
  } else if (!sameJson(claim.spec.requirements ?? [], desired.requirements)) {
    found.push({ reason: 'RequirementsDrifted', message: `spec.requirements are not ${desired.path}.nodeTypeSelector any more (${describeRequirements(desired.requirements)})` });
  }
  if (found.length === 0) return { drifted: false, message: `matches pool ${desired.name}` };
  return { drifted: true, reason: found[0].reason, message: `no longer matches pool ${desired.name}: ${found.map((f) => f.message).join('; ')}` };
}

/** Keys whose value differs, or that one side has and the other not; sorted. */
function changedKeys(have: Record<string, string>, want: Record<string, string>): string[] {
  return [...new Set([...Object.keys(have), ...Object.keys(want)])].filter((k) => have[k] !== want[k]).sort();
}
