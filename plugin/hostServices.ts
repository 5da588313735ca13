/**
 * The services the host hands to a plugin in `activate` (part of the contract, re-exported by
 * plugin/contract.ts): the plugin reaches for nothing global.
 */
import type { KubeConfig, KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';

// ---------------------------------------------------------------------------------------------
// Services the host hands to the plugin (the plugin reaches for nothing global)
// ---------------------------------------------------------------------------------------------

export interface PluginHost {
  /** The provider's registered name, e.g. `metal3-provider`. */
  providerName: string;
  /** Management cluster, where NodeProviders, Secrets and the provider's own machine objects live. */
  kubeConfig: KubeConfig;
  logger: Logger;
  events: EventRecorder;
  /**
   * Tells the host that what `nodeTypes()` answers has changed (capacity, a type appeared or went), so it
   * republishes NodeTypes soon. Cheap to call often: the host coalesces bursts. The host watches none of the
   * provider's own objects; this is how it learns.
   */
  nodeTypesChanged(): void;
  /** Wall clock; injectable so tests and simulations control time. */
  clock?: Clock;
  /** Identity of this host replica (for logs and field managers). */
  replicaId?: string;
  /**
   * Connected clusters (`management.loft.sh/v1` Cluster objects): the client configuration per cluster
   * and whether the host can reach it. The plugin never reads kubeconfig Secrets itself. Absent when the
   * host serves no connected clusters; then only the management cluster (`kubeConfig`) exists.
   */
  clusters?: ConnectedClusters;
  /**
   * Watched caches of resources in the management cluster or a connected cluster, run with the host's one
   * restart policy (since contract 2.1). The plugin starts no informer of its own.
   */
  watches: ResourceWatches;
}

/**
 * The host's informers, lent to the plugin. Each watch lists and watches one collection and keeps
 * following it: after a watch error it restarts with the host's backoff (200 ms doubling to 30 s), a 410
 * Gone relists, a 403 is logged once and recorded as a `Forbidden` Warning Event on the NodeProvider and
 * retried with its own backoff. When a connected cluster turns ready again (it is reachable or accepts the
 * credentials again), every watch of it that waits out a backoff restarts at once. Watches still running
 * when the activation is disposed are stopped by the host.
 */
export interface ResourceWatches {
  /**
   * Starts watching and returns at once; `whenSynced()` tells when the first list is in. Throws
   * TransientError when `request.cluster` has no client configuration (the message names the Cluster).
   */
  watch<T extends KubernetesObject>(request: WatchRequest<T>): ResourceWatch<T>;
}

export interface WatchRequest<T extends KubernetesObject> {
  /** A connected cluster's name (see `PluginHost.clusters`); absent: the management cluster. */
  cluster?: string;
  /** The collection's API path, e.g. `/apis/metal3.io/v1alpha1/namespaces/metal3-system/baremetalhosts`. */
  path: string;
  /**
   * Lists the collection with the plugin's own client (so it shapes what it keeps); called at start and at
   * every relist. Since contract 2.2 the host reads the list in pages, as client-go's reflector does: it
   * passes `page` (limit 500 and the previous page's `continue` token; `{}` after an expired token means
   * everything at once) and asks for the next page only once this one's objects are shaped, so a large
   * collection is never held in full. A 2.1 host passes no page: list everything. A list that ignores the
   * page and returns everything still works.
   */
  list(page?: ListPage): Promise<KubernetesListObject<T>>;
  /** Every object of a list (as `add`) and every later change, in order. */
  onChange(object: T, kind: 'add' | 'update' | 'delete'): void;
}

/** One chunk of a list to ask the API for: its `limit` and `continue` parameters (client-node: `limit`, `_continue`). */
export interface ListPage {
  limit?: number;
  continue?: string;
}

export interface ResourceWatch<T extends KubernetesObject> {
  /** True once the objects of a list are in and its watch is open (it stays true while the watch restarts: the cache is then stale). */
  synced(): boolean;
  /** Resolves once the objects of the first list are in (already passed to onChange) and its watch is open, or when the watch is stopped. */
  whenSynced(): Promise<void>;
  /** The objects as last seen. */
  list(): T[];
  /** Stops the watch; no more onChange calls. Idempotent. */
  stop(): Promise<void>;
}

/** The host's view of its connected clusters, kept current from the Cluster objects and their Secrets. */
export interface ConnectedClusters {
  /** The cluster named `name` (a Cluster object's name), or a not-ready entry saying why it cannot be used. */
  get(name: string): ConnectedCluster;
  /** Calls `listener(name)` whenever a cluster's configuration or readiness changes; returns the unsubscribe. */
  onChange(listener: (name: string) => void): () => void;
}

export interface ConnectedCluster {
  name: string;
  /** True when the host has a client configuration and the cluster accepted it on the last probe. */
  ready: boolean;
  /** Set whenever the Cluster object and its kubeconfig Secret are usable (also while unreachable). */
  kubeConfig?: KubeConfig;
  /** Changes whenever `kubeConfig` is rebuilt (Secret or Cluster changed), so clients know to rebuild theirs. */
  generation: number;
  /** When not ready: ClusterNotFound | KubeconfigMissing | KubeconfigInvalid | Unreachable | CredentialsRefused. */
  reason?: ClusterProblem;
  /** Names the Cluster and the field or Secret at fault; never carries credentials. */
  message?: string;
}

export type ClusterProblem = 'ClusterNotFound' | 'KubeconfigMissing' | 'KubeconfigInvalid' | 'Unreachable' | 'CredentialsRefused';

export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

export interface EventRecorder {
  /** Emits a Kubernetes Event about `object`. Never pass secrets in `message`. */
  record(object: ObjectRef, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

export interface Clock {
  now(): Date;
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  uid?: string;
}
