/** What the provisioner and disruption passes share: dependencies, caches, and one tenant's state. */
import type { CustomObjectsApi, V1Pod } from '@kubernetes/client-node';
import type { ObjectRef } from '../../plugin/contract.js';
import type { VciRef } from '../autoNodes/claimTemplate.js';
import type { PlatformDeps } from '../deps.js';
import type { ClaimStore } from '../nodeClaims/claimStore.js';
import type { ResourceInformer } from '../runtime/informer.js';
import type { NodeClaim } from '../nodeClaims/types.js';
import type { ProjectStore } from '../projects/projectStore.js';
import type { NodeTypeCandidate } from '../scheduling/pickNodeType.js';
import type { KubeEventRecorder } from '../observability/events.js';
import type { TenantConnection, TenantDirectory } from '../tenants/tenantDirectory.js';
import type { Batcher, BatchWindow } from './batcher.js';
import type { DynamicPoolRef } from './poolView.js';

export interface DynamicOptions {
  /** Provisioning batch window (Karpenter: 1 s idle, 10 s max). */
  batch: BatchWindow;
  /** How often disruption (expiry, consolidation) is evaluated. */
  disruptionIntervalMs: number;
  /** How long pods nominated to a claim stay served after its node joined (binding, device plugin). */
  nominationGraceMs: number;
  /** Pods still unschedulable this long after the last pass get another pass (their nomination may have lapsed). */
  recheckMs: number;
  /** Longest a pod Event waits while provisioning passes are in flight (Events give way to NodeClaim creates). */
  eventsMaxDeferMs: number;
}

export const DEFAULT_DYNAMIC_OPTIONS: DynamicOptions = {
  batch: { idleMs: 1000, maxMs: 10_000 },
  disruptionIntervalMs: 1000,
  nominationGraceMs: 10_000,
  recheckMs: 10_000,
  eventsMaxDeferMs: 2000,
};

export interface DynamicContext {
  deps: PlatformDeps;
  options: DynamicOptions;
  custom: CustomObjectsApi;
  store: ClaimStore;
  projects: ProjectStore;
  tenants: TenantDirectory;
  /** Every NodeClaim: the informer's, plus this controller's creates it does not list yet (runtime/recentCreates.ts). */
  claims(): NodeClaim[];
  /** Records the API's answer to a NodeClaim create, so the next pass counts it before the informer does. */
  created(claim: NodeClaim): void;
  /** The NodeTypes, read at most once per batch window for all tenants (capacity moves slowly). */
  nodeTypes(): Promise<NodeTypeCandidate[]>;
}

/** One tenant with dynamic pools, while its access Secret exists. */
export interface TenantState {
  key: string;
  vci: VciRef;
  pools: DynamicPoolRef[];
  conn: TenantConnection;
  pods: ResourceInformer<V1Pod>;
  /** Events on the tenant's pods go to the tenant API. */
  podEvents: KubeEventRecorder;
  batcher: Batcher;
  /** When the last provisioning pass ran. */
  lastPassAt: number;
  /** Per claim name: the node's pod set signature and when it last changed. */
  podChanges: Map<string, { signature: string; at: number }>;
}

export const podKey = (pod: V1Pod) => `${pod.metadata?.namespace}/${pod.metadata?.name}`;

export function podRef(pod: V1Pod): ObjectRef {
  return { apiVersion: 'v1', kind: 'Pod', name: pod.metadata!.name!, namespace: pod.metadata!.namespace, uid: pod.metadata!.uid };
}

/** Pending, unbound, marked Unschedulable by the scheduler: what a provisioner acts on. */
export function isProvisionable(pod: V1Pod): boolean {
  if (pod.spec?.nodeName || pod.metadata?.deletionTimestamp || (pod.status?.phase ?? 'Pending') !== 'Pending') return false;
  const cond = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  return cond?.status === 'False' && cond.reason === 'Unschedulable';
}
