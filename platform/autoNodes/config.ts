/** The `privateNodes.autoNodes` section of a vcluster.yaml, after validation and normalisation. */

export type RequirementOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';

/** A nodeTypeSelector entry as written by the user (`value` xor `values`, `operator` may be ""). */
export interface RawRequirement {
  property?: unknown;
  operator?: unknown;
  value?: unknown;
  values?: unknown;
}

/** Kubernetes-style requirement as stored in `NodeClaim.spec.requirements`. */
export interface Requirement {
  key: string;
  operator: RequirementOperator;
  values?: string[];
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export interface StaticPool {
  name: string;
  quantity: number;
  requirements: Requirement[];
  properties: Record<string, string>;
  taints: Taint[];
  nodeLabels: Record<string, string>;
  terminationGracePeriod?: string;
}

export type ConsolidationPolicy = 'WhenEmpty' | 'WhenEmptyOrUnderutilized';
export type DisruptionReason = 'Empty' | 'Underutilized' | 'Drifted';

/** One disruption budget: at most `nodes` (a count, or a percentage of the pool's nodes) at a time. */
export interface DisruptionBudget {
  nodes: { count: number } | { percent: number };
  /** Cron schedule (5 fields or @daily etc.) when the budget applies; with `durationMs`. Absent: always. */
  schedule?: string;
  durationMs?: number;
  /** Disruption reasons the budget limits; absent: all. */
  reasons?: DisruptionReason[];
}

/** A dynamic pool (one Karpenter NodePool): NodeClaims come and go with the tenant's pending pods. */
export interface DynamicPool {
  name: string;
  requirements: Requirement[];
  properties: Record<string, string>;
  taints: Taint[];
  nodeLabels: Record<string, string>;
  /** Resource limits in base units (cpu in cores, memory in bytes, extended resources); `nodes` counts claims. */
  limits: Record<string, number>;
  disruption: {
    consolidationPolicy: ConsolidationPolicy;
    /** Undefined: "Never". */
    consolidateAfterMs?: number;
    budgets: DisruptionBudget[];
  };
  terminationGracePeriod?: string;
  /** Undefined: "Never". */
  expireAfterMs?: number;
  /** Higher weight is tried first (Karpenter NodePool weight). */
  weight: number;
}

export interface AutoNodesEntry {
  provider: string;
  properties: Record<string, string>;
  static: StaticPool[];
  dynamic: DynamicPool[];
}

export interface AutoNodesConfig {
  entries: AutoNodesEntry[];
}
