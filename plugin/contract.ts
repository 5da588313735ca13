/**
 * The contract between the vCluster Platform host and a node-provider plugin.
 *
 * The host owns NodeClaims (scheduling, join tokens, conditions, finalizers); the plugin owns
 * the machines behind them. Everything that crosses this boundary is plain data, so that two
 * versions of the plugin (hot reload) can serve the same host. Errors are recognised by their
 * `code`, never by `instanceof`, because each plugin version has its own copy of these classes.
 */
import type { KubeConfig, KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';

/**
 * Semver of this contract. A manifest's `contractVersion` is the oldest contract its plugin works with:
 * the host loads it when the majors are equal and the host's minor is at least the manifest's (2.1 added
 * `PluginHost.watches`; 2.2 has the host list a watch's collection in pages, `WatchRequest.list(page)`).
 */
export const CONTRACT_VERSION = '2.2.0';

// ---------------------------------------------------------------------------------------------
// The provider
// ---------------------------------------------------------------------------------------------

export interface NodeProvider {
  /**
   * Applies the NodeProvider object (`spec` is validated against the manifest's config schema by
   * the host first). Throws InvalidConfigurationError naming the field; the previous good
   * configuration then stays in force. Idempotent.
   */
  configure(config: ProviderConfig): Promise<void>;

  /**
   * Claims a machine for `claim` and starts provisioning it with `join`. Idempotent per
   * `claim.uid`: a second call, or a call after a crash, finds the machine already claimed and
   * returns its state. Returns once the machine is claimed and configured (it does not wait for the
   * OS install); the host polls getNode for progress. Throws InsufficientCapacityError when no
   * eligible machine exists (the claim stays Pending), InvalidConfigurationError for bad
   * properties, TransientError for API trouble. Blocks only on API calls. `join` is undefined for a
   * standalone machine (a claim without `vClusterRef`, an operator's server): the machine gets its OS
   * image and the provider's configuration, and joins no cluster.
   */
  createNode(claim: NodeClaimView, join: JoinSpec | undefined, signal?: AbortSignal): Promise<NodeState>;

  /**
   * Releases the machine held for `claim`. Idempotent; call it again until it returns
   * `{ phase: 'Released' }`: the first call starts deprovisioning, and only once the machine is back
   * in the pool (cleaned) are the claim marks, IP and generated Secrets removed. Returns
   * Released when the claim holds nothing. Blocks only on API calls.
   */
  deleteNode(claim: NodeClaimView, signal?: AbortSignal): Promise<ReleaseState>;

  /** What the machine held for `claim` is doing, or undefined when it holds none. Reads a cache. */
  getNode(claim: Pick<NodeClaimView, 'uid' | 'name' | 'namespace'>): Promise<NodeState | undefined>;

  /** Every machine this provider holds, for orphan collection by the host. Reads a cache. */
  listNodes(): Promise<NodeState[]>;

  /**
   * Every configured node type with its capacity, including types with nothing free (so the
   * host can mark them unavailable rather than forget them). Reads a cache.
   */
  nodeTypes(): Promise<NodeTypeView[]>;

  /**
   * Every machine the provider manages, claimed or free, for read-only fleet views (the host's
   * dashboard). Optional: a provider without it shows only its claimed machines (listNodes). Reads a
   * cache; never carries secrets (no user data, credentials or tokens).
   */
  listMachines?(): Promise<MachineView[]>;

  /**
   * Powers the machine held for `claim` On or Off (for Metal3, BMH `spec.online`), in one guarded
   * write. Idempotent: a machine already asked for `state` is not written again. Returns at once (the
   * power change itself is the machine's business; getNode's `poweredOn` tells when it happened).
   * Throws NotFoundError when the claim holds no machine, InvalidConfigurationError when the machine
   * cannot be powered off (naming the claim and `spec.power.state`), TransientError for API trouble
   * or a conflicting write. Optional: a provider without it cannot power machines.
   */
  setPower?(claim: Pick<NodeClaimView, 'uid' | 'name' | 'namespace'>, state: PowerState): Promise<void>;

  /**
   * Reboots the machine held for `claim` once (for Metal3, a `reboot.metal3.io/<provider>` annotation),
   * in one guarded write. Idempotent while that reboot is pending: a second call adds no second
   * request. Throws NotFoundError when the claim holds no machine, TransientError for API trouble.
   * Optional, like setPower.
   */
  reboot?(claim: Pick<NodeClaimView, 'uid' | 'name' | 'namespace'>): Promise<void>;
}

/** What a NodeClaim's `spec.power.state` asks for (`""` means On). */
export type PowerState = 'On' | 'Off';

/** What `activate` returns: the provider and the way to stop everything it started. */
export interface PluginActivation {
  provider: NodeProvider;
  /** Stops every informer, watch and timer of this activation. In-flight calls must be drained first by the host. */
  dispose(): Promise<void>;
}

/** The shape of a plugin module's exports (the manifest's `entry`). */
export interface PluginModule {
  activate(host: PluginHost): Promise<PluginActivation>;
}

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

// ---------------------------------------------------------------------------------------------
// Requests and results
// ---------------------------------------------------------------------------------------------

/** The NodeProvider object the plugin serves (`management.loft.sh/v1`). */
export interface ProviderConfig {
  name: string;
  spec: NodeProviderSpec;
}

/**
 * The NodeProvider `spec`: the fields every provider shares, plus the provider's own block (e.g. `metal3`)
 * as data. The host has validated it against the manifest's `config.schema`; the provider parses its own
 * block into its own types and names the field of anything it still rejects.
 */
export interface NodeProviderSpec {
  displayName?: string;
  /** Applied to every NodeClaim of this provider; lowest precedence. */
  properties?: Record<string, string>;
  [providerBlock: string]: unknown;
}

/** The host's view of one NodeClaim, as far as the provider needs it. */
export interface NodeClaimView {
  uid: string;
  name: string;
  /** Project namespace, `p-<project>`. */
  namespace: string;
  /** Short node type name (the part after `<provider>.` of `spec.typeRef`). */
  nodeType: string;
  /** Tenant cluster name; empty for a standalone machine. */
  vClusterRef?: string;
  /** `spec.properties` of the claim (highest precedence). */
  properties?: Record<string, string>;
  /** `spec.environmentRef`; `vcluster.com/network-environment` overrides it. */
  environmentRef?: string;
  /** Labels the node should carry (pool labels, nodeLabels). */
  nodeLabels?: Record<string, string>;
  taints?: { key: string; value?: string; effect: string }[];
  /** `spec.startupTaints`: registered with the Node at the join like taints; the host removes them once it is Ready. */
  startupTaints?: { key: string; value?: string; effect: string }[];
  /** `spec.kubeletArgs`: extra kubelet flags for the join, `name` without the leading `--`. */
  kubeletArgs?: Record<string, string>;
}

/** How the machine joins its tenant cluster. `token` is a secret: only ever written into a Secret. */
export interface JoinSpec {
  /** Tenant API endpoint base URL serving `/node/join`, e.g. `https://10.0.0.5:8443`. */
  endpoint: string;
  /** PEM of the tenant cluster CA; the bootstrap script is fetched with TLS verified against it. */
  caCertPem: string;
  /** `sha256:<hex>` of the CA's public key, for kubeadm discovery. */
  caCertHash: string;
  /** Bootstrap token `<id>.<secret>`. */
  token: string;
}

export type NodePhase =
  | 'Claimed' // machine claimed and configured, its provisioning not yet started
  | 'Delayed' // the provider's back-pressure (Metal3: operationalStatus delayed): waiting, not failing
  | 'Provisioning'
  | 'Provisioned' // OS installed and powered on; joining is the host's business
  | 'Failed' // the provider reported an error; never silently replaced
  | 'Releasing'; // deprovisioning/cleaning after deleteNode

/** The provider's object that stands for one machine (for Metal3, a BareMetalHost). */
export interface MachineRef {
  /** Kind of the provider's object, for messages, e.g. `BareMetalHost`. */
  kind: string;
  name: string;
  namespace?: string;
}

export interface NodeState {
  claimUid: string;
  claimName: string;
  claimNamespace: string;
  nodeType: string;
  /** The machine holding the claim; its name is also the name the node registers with. */
  machine: MachineRef;
  phase: NodePhase;
  /** The provider's own state of the machine, verbatim (for Metal3, the BMH `status.provisioning.state`). */
  providerState: string;
  poweredOn: boolean;
  ip?: string;
  /** Machine-readable reason (e.g. BMO's errorType) and human message, for conditions. */
  reason?: string;
  message?: string;
}

/** One managed machine as a fleet view shows it; provider-neutral. */
export interface MachineView {
  name: string;
  namespace?: string;
  /** The provider's provisioning state, verbatim (for Metal3 the BMH `status.provisioning.state`). */
  state: string;
  poweredOn: boolean;
  /** Node type of the claim holding it, else the first configured type the machine matches. */
  nodeType?: string;
  /** The NodeClaim holding the machine, if any. */
  claimUid?: string;
  /** Failure zone / site (`topology.kubernetes.io/zone` of the machine), when it carries one. */
  zone?: string;
  /** Tenant network the machine is attached to (e.g. a Netris server cluster), when a fabric is on. */
  network?: string;
  /** That network's VLAN, when known. */
  vlanId?: number;
  /** What the machine's controller reports as failing (for Metal3: BMO's errorType and errorMessage). */
  error?: { type: string; message: string };
}

export interface ReleaseState {
  phase: 'Releasing' | 'Released' | 'Failed';
  machine?: MachineRef;
  reason?: string;
  message?: string;
}

export interface NodeTypeView {
  /** Short name; the host publishes it as `<provider>.<name>`. */
  name: string;
  displayName?: string;
  properties: Record<string, string>;
  resources: Record<string, string>;
  overhead?: { kubeReserved?: Record<string, string> };
  cost?: number;
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  /** total = machines of this type (free + claimed); claimed = held by claims. */
  capacity: { total: number; claimed: number };
  /** NodeType `spec.zone` (the site); the host publishes it as `topology.kubernetes.io/zone`. Default `global`. */
  zone?: string;
  /**
   * Set when the type's machines cannot be reached (its site's cluster is missing, unreachable or refuses
   * the credentials): the host shows the type unavailable and schedules no new claim onto it. `capacity`
   * is then the last known one.
   */
  unavailable?: { reason: string; message: string };
}

// ---------------------------------------------------------------------------------------------
// Typed errors: the host branches on `code`
// ---------------------------------------------------------------------------------------------

export type ProviderErrorCode = 'InsufficientCapacity' | 'InvalidConfiguration' | 'NotFound' | 'Transient' | 'Unsupported';

export class ProviderError extends Error {
  readonly code: ProviderErrorCode;
  constructor(code: ProviderErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = `${code}Error`;
  }
}

/** No eligible machine now; the claim stays Pending and is retried with backoff (no churn). */
export class InsufficientCapacityError extends ProviderError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('InsufficientCapacity', message, options);
  }
}

/** Bad input; `object` and `field` say exactly where (e.g. `OSImage/ubuntu`, `spec.properties[...]`). */
export class InvalidConfigurationError extends ProviderError {
  readonly object: string;
  readonly field: string;
  constructor(object: string, field: string, problem: string, options?: { cause?: unknown }) {
    super('InvalidConfiguration', `${object}: ${field}: ${problem}`, options);
    this.object = object;
    this.field = field;
  }
}

export class NotFoundError extends ProviderError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NotFound', message, options);
  }
}

/** The provider does not offer this optional hook (e.g. setPower); retrying does not help. */
export class UnsupportedError extends ProviderError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('Unsupported', message, options);
  }
}

/** Retry later (API unavailable, conflict storm); `retryAfterMs` is a hint. */
export class TransientError extends ProviderError {
  readonly retryAfterMs?: number;
  constructor(message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super('Transient', message, options);
    this.retryAfterMs = options?.retryAfterMs;
  }
}

function hasCode(err: unknown, code: ProviderErrorCode): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
export const isInsufficientCapacity = (err: unknown) => hasCode(err, 'InsufficientCapacity');
export const isInvalidConfiguration = (err: unknown): err is InvalidConfigurationError => hasCode(err, 'InvalidConfiguration');
export const isNotFound = (err: unknown) => hasCode(err, 'NotFound');
export const isTransient = (err: unknown) => hasCode(err, 'Transient');
export const isUnsupported = (err: unknown) => hasCode(err, 'Unsupported');

/** Kubernetes quantities, one grammar for the host and every plugin. */
export { parseQuantity, QUANTITY_PATTERN } from '../common/quantity.js';
/** Connection reuse for client-node 1.4 (one keep-alive agent per cluster), for the host and every plugin. */
export { KeepAliveKubeConfig } from '../common/keepAlive.js';
