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

export interface DynamicPool {
  name: string;
  requirements: Requirement[];
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
