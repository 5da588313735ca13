/**
 * Chooses the NodeType for a NodeClaim with an empty `spec.typeRef`: the cheapest type of the
 * claim's provider whose properties (plus the platform's built-ins) satisfy every requirement, whose
 * resources cover `desiredCapacity`, and that has free capacity. Ties go to the name order.
 *
 * Extended resources: a type offering a resource other than cpu/memory/pods/ephemeral-storage (e.g.
 * `nvidia.com/gpu`) is only chosen when the claim asks for it: `desiredCapacity` names the resource,
 * a requirement's key is the resource name, or a requirement names the type itself through
 * `vcluster.com/node-type` / `node.kubernetes.io/instance-type` with In (choosing a type by name is
 * asking for what it has).
 * Resources are matchable like properties (`nvidia.com/gpu Gt 4`, `cpu Gt 16`); properties win on a clash.
 */
import type { Requirement } from '../autoNodes/config.js';
import { parseQuantity } from '../../common/quantity.js';
import { satisfiesAll } from './requirements.js';

export interface NodeTypeCandidate {
  /** Full name `<provider>.<type>`. */
  name: string;
  providerRef: string;
  properties: Record<string, string>;
  resources: Record<string, string>;
  cost?: number;
  capacity: { total: number; claimed: number };
  zone?: string;
  /** Why the type takes no new claims now (its site is unreachable), when it does not. */
  unavailable?: string;
}

export interface SchedulingRequest {
  providerRef: string;
  requirements: Requirement[];
  desiredCapacity?: Record<string, string>;
}

export type SchedulingResult =
  | { ok: true; nodeType: NodeTypeCandidate }
  | { ok: false; reason: 'NoMatchingNodeType' | 'InsufficientCapacity'; message: string };

const STANDARD_RESOURCES = new Set(['cpu', 'memory', 'pods', 'ephemeral-storage']);
const TYPE_NAME_KEYS = ['vcluster.com/node-type', 'node.kubernetes.io/instance-type'];

/** Properties every NodeType carries besides its own. node-type offers both the full and the short name. */
export function builtInProperties(type: NodeTypeCandidate): Record<string, string> {
  const short = shortName(type);
  const names = short === type.name ? type.name : `${type.name},${short}`;
  return {
    'vcluster.com/node-type': names,
    'node.kubernetes.io/instance-type': names,
    'kubernetes.io/os': 'linux',
    'topology.kubernetes.io/zone': type.zone ?? 'global',
    'karpenter.sh/capacity-type': 'on-demand',
  };
}

export function shortName(type: Pick<NodeTypeCandidate, 'name' | 'providerRef'>): string {
  const prefix = `${type.providerRef}.`;
  return type.name.startsWith(prefix) ? type.name.slice(prefix.length) : type.name;
}

/** Cost as the platform computes it when unset: 10 per CPU, 2 per GB memory, 10000 per other resource unit. */
export function effectiveCost(type: NodeTypeCandidate): number {
  if (type.cost !== undefined && type.cost > 0) return type.cost;
  let cost = 0;
  for (const [name, qty] of Object.entries(type.resources)) {
    const n = amount(qty);
    if (name === 'cpu') cost += 10 * n;
    else if (name === 'memory') cost += 2 * (n / 1e9);
    else if (!STANDARD_RESOURCES.has(name)) cost += 10000 * n;
  }
  return cost;
}

/** A resource amount (int-or-string, as the CRDs allow) in base units; what is not a quantity counts as 0. */
function amount(qty: string | number | undefined): number {
  return qty === undefined ? 0 : (parseQuantity(qty) ?? 0);
}

/** What requirements are matched against: the type's resources, its properties (they win), the built-ins. */
export function matchableProperties(type: NodeTypeCandidate): Record<string, string> {
  return { ...type.resources, ...type.properties, ...builtInProperties(type) };
}

export function pickNodeType(request: SchedulingRequest, types: NodeTypeCandidate[]): SchedulingResult {
  const ofProvider = types.filter((t) => t.providerRef === request.providerRef);
  const matching = ofProvider.filter((t) =>
    satisfiesAll(matchableProperties(t), request.requirements) && fitsCapacity(t, request) && extendedResourcesRequested(t, request));
  if (matching.length === 0) {
    return {
      ok: false,
      reason: 'NoMatchingNodeType',
      message: `no NodeType of provider ${request.providerRef} matches the requirements (${describeRequirements(request.requirements)})`,
    };
  }
  const free = matching.filter((t) => !t.unavailable && t.capacity.total - t.capacity.claimed > 0);
  if (free.length === 0) {
    const unavailable = matching.filter((t) => t.unavailable).map((t) => `${t.name} (${t.unavailable})`).sort();
    return {
      ok: false,
      reason: 'InsufficientCapacity',
      message: `matching NodeTypes have no free capacity: ${matching.map((t) => t.name).sort().join(', ')}`
        + (unavailable.length ? `; unavailable: ${unavailable.join(', ')}` : ''),
    };
  }
  free.sort((a, b) => effectiveCost(a) - effectiveCost(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { ok: true, nodeType: free[0] };
}

function fitsCapacity(type: NodeTypeCandidate, request: SchedulingRequest): boolean {
  for (const [name, qty] of Object.entries(request.desiredCapacity ?? {})) {
    if (name === 'pods') continue;
    const want = amount(qty);
    const have = amount(type.resources[name]);
    if (want > have) return false;
  }
  return true;
}

function extendedResourcesRequested(type: NodeTypeCandidate, request: SchedulingRequest): boolean {
  const extended = Object.entries(type.resources)
    .filter(([name, qty]) => !STANDARD_RESOURCES.has(name) && amount(qty) > 0)
    .map(([name]) => name);
  if (extended.length === 0) return true;
  const names = new Set([type.name, shortName(type)]);
  const namedExplicitly = request.requirements.some((r) =>
    TYPE_NAME_KEYS.includes(r.key) && r.operator === 'In' && (r.values ?? []).some((v) => names.has(v)));
  if (namedExplicitly) return true;
  return extended.every((res) =>
    request.desiredCapacity?.[res] !== undefined || request.requirements.some((r) => r.key === res));
}

export function describeRequirements(reqs: Requirement[]): string {
  if (reqs.length === 0) return 'none';
  return reqs.map((r) => `${r.key} ${r.operator}${r.values ? ` [${r.values.join(',')}]` : ''}`).join('; ');
}
