/**
 * What the planner needs to know about a tenant's dynamic pools, built from the pool config, the
 * NodeTypes and the NodeClaims (pure): each pool's NodeTypes with the labels their nodes will carry,
 * its usage (resources of its claims, counted until they are gone, and `nodes`), and the room left on
 * claims still in flight after the pods nominated to them.
 */
import type { V1Pod, V1Taint } from '@kubernetes/client-node';
import { addInto, MAX_PODS, parseResources, podRequests, WILDCARD, type LabelSource, type Resources } from '../../common/podFit.js';
import type { AutoNodesEntry, DynamicPool } from '../autoNodes/config.js';
import { LABEL_POOL, type NodeClaim } from '../nodeClaims/types.js';
import { builtInProperties, effectiveCost, type NodeTypeCandidate } from '../scheduling/pickNodeType.js';
import { satisfiesAll } from '../scheduling/requirements.js';
import { NODEPOOL_LABEL, NOMINATED_PODS_ANNOTATION } from './names.js';
import type { InFlightClaim, PoolOption, TypeOption } from './plan.js';

export interface DynamicPoolRef {
  entry: AutoNodesEntry;
  pool: DynamicPool;
}

/** The labels a node of `type` in `pool` carries: type properties and built-ins, pool nodeLabels, the pool label. */
export function nodeLabelValues(type: NodeTypeCandidate, pool: DynamicPool): Record<string, string> {
  return { ...type.properties, ...builtInProperties(type), ...pool.nodeLabels, [NODEPOOL_LABEL]: pool.name };
}

/** Labels set on the Node of a claim: single values only (a comma list or `*` is the type's choice, not a label). */
export function concreteNodeLabels(type: NodeTypeCandidate, pool: DynamicPool): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(nodeLabelValues(type, pool))) if (!v.includes(',') && v !== WILDCARD) labels[k] = v;
  labels['vcluster.com/node-type'] = type.name;
  labels['node.kubernetes.io/instance-type'] = type.name;
  return labels;
}

function labelSource(values: Record<string, string>): LabelSource {
  return (key) => (key in values ? values[key].split(',').map((v) => v.trim()) : undefined);
}

export function poolTypes(ref: DynamicPoolRef, types: NodeTypeCandidate[]): NodeTypeCandidate[] {
  return types.filter((t) => t.providerRef === ref.entry.provider
    && satisfiesAll({ ...t.resources, ...t.properties, ...builtInProperties(t) }, ref.pool.requirements));
}

export function asTaints(pool: DynamicPool): V1Taint[] {
  return pool.taints.map((t) => ({ key: t.key, value: t.value, effect: t.effect }));
}

/** Live claims per type across every tenant: each holds or waits for one host of its type. */
export function claimsPerType(claims: NodeClaim[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of claims) if (c.spec.typeRef && c.status?.phase !== 'Failed') out.set(c.spec.typeRef, (out.get(c.spec.typeRef) ?? 0) + 1);
  return out;
}

export function poolOption(ref: DynamicPoolRef, types: NodeTypeCandidate[], poolClaims: NodeClaim[], heldPerType: Map<string, number>): PoolOption {
  const byName = new Map(types.map((t) => [t.name, t]));
  const usage: Resources = { nodes: 0 };
  for (const c of poolClaims) {
    usage.nodes += 1;
    const t = c.spec.typeRef ? byName.get(c.spec.typeRef) : undefined;
    if (t) addInto(usage, parseResources(t.resources));
  }
  const options: TypeOption[] = poolTypes(ref, types).map((t) => ({
    name: t.name,
    resources: parseResources(t.resources),
    cost: effectiveCost(t),
    labels: labelSource(nodeLabelValues(t, ref.pool)),
    // A type whose site is unreachable offers nothing new (its capacity is only the last known one).
    free: t.unavailable ? 0 : t.capacity.total - Math.max(t.capacity.claimed, heldPerType.get(t.name) ?? 0),
    ...(t.unavailable ? { unavailable: t.unavailable } : {}),
  }));
  return { name: ref.pool.name, weight: ref.pool.weight, taints: asTaints(ref.pool), limits: ref.pool.limits, usage, types: options };
}

export function nominatedPods(claim: NodeClaim): string[] {
  const raw = claim.metadata.annotations?.[NOMINATED_PODS_ANNOTATION];
  if (!raw) return [];
  try {
    const list = JSON.parse(raw) as unknown;
    return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * A claim is in flight until its node has joined and the nomination grace has passed (the scheduler
 * needs a moment to bind the pods, and GPUs appear only once the device plugin reports them).
 */
export function inFlight(claim: NodeClaim, now: number, graceMs: number): boolean {
  if (claim.metadata.deletionTimestamp || claim.status?.phase === 'Failed') return false;
  if (claim.status?.phase !== 'Available') return true;
  const joined = claim.status.conditions?.find((c) => c.type === 'Joined');
  return !!joined && now - new Date(joined.lastTransitionTime).getTime() < graceMs;
}

export function inFlightClaim(ref: DynamicPoolRef, claim: NodeClaim, types: NodeTypeCandidate[], pods: Map<string, V1Pod>): InFlightClaim | undefined {
  const type = types.find((t) => t.name === claim.spec.typeRef);
  if (!type || claim.metadata.labels?.[LABEL_POOL] !== ref.pool.name) return undefined;
  const free = { pods: MAX_PODS, ...parseResources(type.resources) };
  for (const key of nominatedPods(claim)) {
    const pod = pods.get(key);
    if (pod) addInto(free, podRequests(pod), -1);
  }
  return { name: claim.metadata.name!, pool: ref.pool.name, free, labels: labelSource(nodeLabelValues(type, ref.pool)), taints: asTaints(ref.pool) };
}
