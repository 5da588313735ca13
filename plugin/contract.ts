/**
 * The contract between the vCluster Platform host and a node-provider plugin.
 *
 * The host owns NodeClaims (scheduling, join tokens, conditions, finalizers); the plugin owns
 * the machines behind them. Everything that crosses this boundary is plain data, so that two
 * versions of the plugin (hot reload) can serve the same host. Errors are recognised by their
 * `code`, never by `instanceof`, because each plugin version has its own copy of these classes.
 */
import type { PluginHost } from './hostServices.js';

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
// The rest of the contract, in files of their own
// ---------------------------------------------------------------------------------------------

/** What the host gives the plugin: PluginHost, its watches and connected clusters, logger, events, clock. */
export * from './hostServices.js';
/** Typed errors: the host branches on `code`. */
export * from './errors.js';
/** Kubernetes quantities, one grammar for the host and every plugin. */
export { parseQuantity, QUANTITY_PATTERN } from '../common/quantity.js';
/** Connection reuse for client-node 1.4 (one keep-alive agent per cluster), for the host and every plugin. */
export { KeepAliveKubeConfig } from '../common/keepAlive.js';
