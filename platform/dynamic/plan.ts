/**
 * The provisioning decision for one batch of a tenant's pending pods, with Karpenter's semantics
 * (pure, no I/O):
 * 1. room on claims already in flight is used first (a pod nominated there needs no new node);
 * 2. otherwise pods are packed, largest first, onto new nodes: a new node keeps every NodeType that
 *    still fits all its pods (a type with GPUs or other extended resources only while one of its pods
 *    asks for them), and finally becomes the cheapest of them;
 * 3. pools are tried by `weight` (highest first, then name); a pool's `limits` (resources and `nodes`)
 *    count its existing and in-flight claims and what this batch plans, and a type's free hosts bound
 *    how many claims of it are planned.
 * Pods that fit nowhere come back with the reason per pool ("no node type fits: ...",
 * "pool limit nodes=4 reached").
 */
import type { V1Pod, V1Taint } from '@kubernetes/client-node';
import {
  addInto, fitsResources, matchesNodeSelection, podRequests, untoleratedTaints, type LabelSource, type Resources,
} from '../../common/podFit.js';

export const STANDARD_RESOURCES = new Set(['cpu', 'memory', 'pods', 'ephemeral-storage']);

export interface TypeOption {
  /** Full name `<provider>.<type>`. */
  name: string;
  resources: Resources;
  cost: number;
  /** Labels a node of this type in this pool will carry (type properties, built-ins, pool labels). */
  labels: LabelSource;
  /** Hosts of this type nobody holds or waits for (none while the type is unavailable). */
  free: number;
  /** Why the type takes no new claims now (its site is unreachable), when it does not. */
  unavailable?: string;
}

export interface PoolOption {
  name: string;
  weight: number;
  taints: V1Taint[];
  /** Resource limits (base units) and `nodes`. */
  limits: Record<string, number>;
  /** What the pool's claims already hold: their types' resources and `nodes`. */
  usage: Resources;
  /** The pool's NodeTypes (matching its nodeTypeSelector), any order. */
  types: TypeOption[];
}

export interface InFlightClaim {
  name: string;
  pool: string;
  /** The claim's type resources minus what pods nominated to it request. */
  free: Resources;
  labels: LabelSource;
  taints: V1Taint[];
}

export interface PendingPod {
  /** `<namespace>/<name>` */
  key: string;
  pod: V1Pod;
}

export interface PlannedClaim {
  pool: string;
  type: TypeOption;
  pods: PendingPod[];
  requests: Resources;
  /** How many types fitted the node's pods when the cheapest was taken. */
  alternatives: number;
}

export interface Plan {
  claims: PlannedClaim[];
  /** Pods served by room on an in-flight claim, by claim name. */
  nominations: Map<string, PendingPod[]>;
  unschedulable: { pod: PendingPod; message: string }[];
}

interface OpenNode {
  pool: PoolOption;
  pods: PendingPod[];
  requests: Resources;
  candidates: TypeOption[];
  reserved: TypeOption;
}

export function planBatch(pending: PendingPod[], pools: PoolOption[], inFlight: InFlightClaim[]): Plan {
  const plan: Plan = { claims: [], nominations: new Map(), unschedulable: [] };
  const ordered = [...pools].sort((a, b) => b.weight - a.weight || (a.name < b.name ? -1 : 1));
  const usage = new Map(ordered.map((p) => [p.name, { ...p.usage }]));
  const typeFree = new Map<string, number>();
  for (const p of ordered) for (const t of p.types) typeFree.set(t.name, t.free);
  const rooms = inFlight.map((c) => ({ ...c, free: { ...c.free } }));
  const open: OpenNode[] = [];
  const requestsOf = new Map(pending.map((p) => [p.key, podRequests(p.pod)]));

  const sizeOf = new Map(pending.map((p) => [p.key, sortKey(requestsOf.get(p.key)!)]));
  for (const pod of [...pending].sort((a, b) => compareSize(sizeOf.get(b.key)!, sizeOf.get(a.key)!) || (a.key < b.key ? -1 : 1))) {
    const req = requestsOf.get(pod.key)!;
    const room = rooms.find((c) => compatible(pod.pod, c.labels, c.taints) && fitsResources(req, c.free));
    if (room) {
      addInto(room.free, req, -1);
      plan.nominations.set(room.name, [...(plan.nominations.get(room.name) ?? []), pod]);
      continue;
    }
    if (open.some((node) => tryAdd(node, pod, req, usage.get(node.pool.name)!, typeFree))) continue;
    const reasons: string[] = [];
    let placed = false;
    for (const pool of ordered) {
      const why = openNode(pool, pod, req, usage.get(pool.name)!, typeFree, open);
      if (!why) {
        placed = true;
        break;
      }
      reasons.push(`pool ${pool.name}: ${why}`);
    }
    if (!placed) plan.unschedulable.push({ pod, message: reasons.length ? reasons.join('; ') : 'no dynamic pool' });
  }
  for (const node of open) {
    const cheapest = cheapestOf(node.candidates);
    plan.claims.push({ pool: node.pool.name, type: cheapest, pods: node.pods, requests: node.requests, alternatives: node.candidates.length });
  }
  return plan;
}

/** Opens a new node in the pool for the pod, or says why the pool cannot serve it. */
function openNode(
  pool: PoolOption, pod: PendingPod, req: Resources, usage: Resources, typeFree: Map<string, number>, open: OpenNode[],
): string | undefined {
  const taint = untoleratedTaints(pod.pod.spec?.tolerations, pool.taints)[0];
  if (taint) return `pod does not tolerate the pool's taint ${taint.key}${taint.value ? `=${taint.value}` : ''}:${taint.effect}`;
  const selectable = pool.types.filter((t) => matchesNodeSelection(pod.pod, t.labels));
  if (selectable.length === 0) return "no node type matches the pod's node selector or affinity";
  const fitting = selectable.filter((t) => fitsResources(req, t.resources) && extendedAllowed(t, req));
  if (fitting.length === 0) return `no node type fits: pod requests ${describe(req)}; ${describeTypes(selectable)}`;
  if (pool.limits.nodes !== undefined && (usage.nodes ?? 0) + 1 > pool.limits.nodes) return `pool limit nodes=${pool.limits.nodes} reached`;
  const withinLimits = fitting.filter((t) => exceededLimit(pool, usage, t.resources) === undefined);
  if (withinLimits.length === 0) {
    const limit = exceededLimit(pool, usage, cheapestOf(fitting).resources)!;
    return `pool limit ${limit}=${formatQuantity(limit, pool.limits[limit])} reached`;
  }
  const available = withinLimits.filter((t) => (typeFree.get(t.name) ?? 0) > 0);
  if (available.length === 0) {
    const unavailable = withinLimits.filter((t) => t.unavailable).map((t) => `${t.name} (${t.unavailable})`).sort();
    return `no free host of the fitting node types (${withinLimits.map((t) => t.name).sort().join(', ')})${unavailable.length ? `; unavailable: ${unavailable.join(', ')}` : ''}`;
  }
  const reserved = cheapestOf(available);
  typeFree.set(reserved.name, typeFree.get(reserved.name)! - 1);
  addInto(usage, { ...reserved.resources, nodes: 1 });
  open.push({ pool, pods: [pod], requests: { ...req }, candidates: available, reserved });
  return undefined;
}

/** Adds the pod to an open node if some candidate type still fits everything (re-reserving limits and hosts). */
function tryAdd(node: OpenNode, pod: PendingPod, req: Resources, usage: Resources, typeFree: Map<string, number>): boolean {
  if (untoleratedTaints(pod.pod.spec?.tolerations, node.pool.taints).length) return false;
  const total = addInto({ ...node.requests }, req);
  const poolUsageWithout = addInto({ ...usage }, { ...node.reserved.resources, nodes: 1 }, -1);
  const candidates = node.candidates.filter((t) =>
    matchesNodeSelection(pod.pod, t.labels) && fitsResources(total, t.resources) && extendedAllowed(t, total)
    && exceededLimit(node.pool, addInto({ ...poolUsageWithout }, { nodes: 1 }), t.resources) === undefined
    && (t.name === node.reserved.name || (typeFree.get(t.name) ?? 0) > 0));
  if (candidates.length === 0) return false;
  const next = cheapestOf(candidates);
  if (next.name !== node.reserved.name) {
    typeFree.set(node.reserved.name, typeFree.get(node.reserved.name)! + 1);
    typeFree.set(next.name, typeFree.get(next.name)! - 1);
  }
  addInto(usage, node.reserved.resources, -1);
  addInto(usage, next.resources);
  node.reserved = next;
  node.candidates = candidates;
  node.requests = total;
  node.pods.push(pod);
  return true;
}

function compatible(pod: V1Pod, labels: LabelSource, taints: V1Taint[]): boolean {
  return untoleratedTaints(pod.spec?.tolerations, taints).length === 0 && matchesNodeSelection(pod, labels);
}

/** A type offering extended resources (GPUs) is only for pods that ask for each of them. */
export function extendedAllowed(type: Pick<TypeOption, 'resources'>, requests: Resources): boolean {
  for (const name in type.resources) {
    if (type.resources[name] > 0 && !STANDARD_RESOURCES.has(name) && !((requests[name] ?? 0) > 0)) return false;
  }
  return true;
}

/** The first limit (other than `nodes`) that adding `resources` to `usage` would exceed. */
function exceededLimit(pool: PoolOption, usage: Resources, resources: Resources): string | undefined {
  return Object.keys(pool.limits).sort().find((k) => k !== 'nodes' && (usage[k] ?? 0) + (resources[k] ?? 0) > pool.limits[k] + 1e-9);
}

function cheapestOf(types: TypeOption[]): TypeOption {
  return [...types].sort((a, b) => a.cost - b.cost || (a.name < b.name ? -1 : 1))[0];
}

/** What pods are ordered by (bigger first): extended resources, then cpu, then memory; computed once per pod. */
function sortKey(r: Resources): [number, number, number] {
  let ext = 0;
  for (const k in r) if (!STANDARD_RESOURCES.has(k)) ext += r[k];
  return [ext, r.cpu ?? 0, r.memory ?? 0];
}

function compareSize(a: [number, number, number], b: [number, number, number]): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

export function describe(r: Resources): string {
  return Object.keys(r).filter((k) => k !== 'pods' && r[k] > 0).sort().map((k) => `${k}=${formatQuantity(k, r[k])}`).join(', ') || 'nothing';
}

function describeTypes(types: TypeOption[]): string {
  return `offered: ${types.map((t) => `${t.name} (${describe(t.resources)})`).join(', ')}`;
}

export function formatQuantity(resource: string, value: number): string {
  if (resource === 'memory' && value >= 2 ** 30 && value % 2 ** 30 === 0) return `${value / 2 ** 30}Gi`;
  if (resource === 'memory' && value >= 2 ** 20 && value % 2 ** 20 === 0) return `${value / 2 ** 20}Mi`;
  if (resource === 'cpu' && !Number.isInteger(value)) return `${Math.round(value * 1000)}m`;
  return String(value);
}

