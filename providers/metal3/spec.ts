/**
 * The Metal3 block of the NodeProvider spec (`spec.metal3`), as this provider reads it. The contract
 * carries it as data; the host has checked it against the manifest's schema and config.ts parses it
 * into these types (naming the field of anything it still rejects).
 */

/** Where Metal3 and its BareMetalHosts live: a connected Cluster (absent: the management cluster) and a namespace. */
export interface ClusterRef {
  cluster?: string;
  namespace: string;
}

export interface Metal3ProviderSpec {
  clusterRef: ClusterRef;
  nodeTypes: Metal3NodeTypeSpec[];
  deploy?: Record<string, unknown>;
  netris?: { secretRef: { name: string; namespace?: string } };
  /** Allow a host with `automatedCleaningMode: disabled` to move between tenants (uncleaned). */
  allowUncleanedReuse?: boolean;
}

export interface Metal3NodeTypeSpec {
  name: string;
  displayName?: string;
  properties?: Record<string, string>;
  /** Kubernetes quantities, e.g. `{cpu: "32", memory: "128Gi", "nvidia.com/gpu": "8"}`. */
  resources?: Record<string, string>;
  overhead?: { kubeReserved?: Record<string, string> };
  cost?: number;
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  bareMetalHosts?: { selector?: LabelSelector };
  /** The site of this type when it differs from `spec.metal3.clusterRef` (one provider, types per site). */
  clusterRef?: ClusterRef;
  /** NodeType `spec.zone` (`topology.kubernetes.io/zone`); default: the cluster's name, or `global` without one. */
  zone?: string;
}

/** `metav1.LabelSelector`. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}
