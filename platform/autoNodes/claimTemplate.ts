/** Pure: the NodeClaim a static pool asks for, and which claims go first on scale-down. */
import {
  GROUP, LABEL_POOL, LABEL_PROVIDER, LABEL_VCLUSTER, NODE_LABELS_ANNOTATION, PREFERRED_DELETION_ANNOTATION, REPLACES_ANNOTATION,
  TERMINATION_GRACE_ANNOTATION, VERSION, type NodeClaim,
} from '../nodeClaims/types.js';
import type { AutoNodesEntry, StaticPool } from './config.js';

export interface VciRef {
  name: string;
  namespace: string;
  uid: string;
}

/** A pool's terminationGracePeriod when it sets none. */
export const DEFAULT_TERMINATION_GRACE = '30s';

/** What every pool (static or dynamic) contributes to its claims. */
type PoolShape = Pick<StaticPool, 'name' | 'requirements' | 'properties' | 'taints' | 'terminationGracePeriod'>;

/**
 * The NodeClaim every pool's claim starts from: named after the cluster and pool, labelled with them and
 * the provider, owned by the VirtualClusterInstance, with the pool's requirements, properties and taints.
 * `extra` adds the labels, annotations and spec fields of a kind of pool.
 */
export function poolClaim(
  vci: VciRef, entry: Pick<AutoNodesEntry, 'provider' | 'properties'>, pool: PoolShape,
  extra: { labels?: Record<string, string>; annotations?: Record<string, string>; spec?: Partial<NodeClaim['spec']> } = {},
): NodeClaim {
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'NodeClaim',
    metadata: {
      generateName: `${vci.name}-${pool.name}-`,
      namespace: vci.namespace,
      labels: { [LABEL_VCLUSTER]: vci.name, [LABEL_POOL]: pool.name, [LABEL_PROVIDER]: entry.provider, ...extra.labels },
      annotations: { [TERMINATION_GRACE_ANNOTATION]: pool.terminationGracePeriod ?? DEFAULT_TERMINATION_GRACE, ...extra.annotations },
      ownerReferences: [{
        apiVersion: `${GROUP}/${VERSION}`, kind: 'VirtualClusterInstance', name: vci.name, uid: vci.uid,
        controller: true, blockOwnerDeletion: true,
      }],
    },
    spec: {
      providerRef: entry.provider,
      vClusterRef: vci.name,
      requirements: pool.requirements,
      properties: { ...entry.properties, ...pool.properties },
      taints: pool.taints,
      ...extra.spec,
    },
  };
}

/**
 * `environmentRef`: the NodeEnvironment of the tenant cluster and provider (nodeEnvironment.ts);
 * `replaces`: the drifted claim of the pool this one replaces (driftRollout.ts).
 */
export function claimForPool(vci: VciRef, entry: AutoNodesEntry, pool: StaticPool, environmentRef?: string, replaces?: string): NodeClaim {
  return poolClaim(vci, entry, pool, {
    annotations: {
      ...(Object.keys(pool.nodeLabels).length > 0 ? { [NODE_LABELS_ANNOTATION]: JSON.stringify(pool.nodeLabels) } : {}),
      ...(replaces ? { [REPLACES_ANNOTATION]: replaces } : {}),
    },
    spec: environmentRef ? { environmentRef } : {},
  });
}

/**
 * Which claims to delete to shrink to `target`: claims marked for preferred deletion (condition
 * `PreferredDeletion=True` or annotation `vcluster.loft.sh/preferred-deletion: "true"`) go first, then
 * claims that have not joined (Pending or Failed), then joined ones whose Node is not Ready, then
 * drifted ones (NotDrifted=False), then the rest; within each group the newest goes first. So a pool
 * keeps its Ready nodes longest. Claims already being deleted count as gone.
 */
export function surplusClaims(claims: NodeClaim[], target: number): NodeClaim[] {
  const live = claims.filter((c) => !c.metadata.deletionTimestamp);
  const excess = live.length - target;
  if (excess <= 0) return [];
  const condition = (c: NodeClaim, type: string) => c.status?.conditions?.find((x) => x.type === type)?.status;
  const keepLonger = (c: NodeClaim) => {
    if (isPreferredForDeletion(c)) return 0;
    if (c.status?.phase !== 'Available') return 1;
    if (condition(c, 'NodeReady') === 'False') return 2;
    return condition(c, 'NotDrifted') === 'False' ? 3 : 4;
  };
  const created = (c: NodeClaim) => new Date(c.metadata.creationTimestamp ?? 0).getTime();
  return [...live]
    .sort((a, b) => keepLonger(a) - keepLonger(b) || created(b) - created(a) || (b.metadata.name! < a.metadata.name! ? -1 : 1))
    .slice(0, excess);
}

export function isPreferredForDeletion(c: NodeClaim): boolean {
  return c.metadata.annotations?.[PREFERRED_DELETION_ANNOTATION] === 'true'
    || c.status?.conditions?.some((x) => x.type === 'PreferredDeletion' && x.status === 'True') === true;
}
