/**
 * The provider's view of BareMetalHosts in the configured namespace of its site's cluster: one watch
 * asked of the host (`PluginHost.watches`, which restarts it with the host's one policy and restarts it at
 * once when the cluster is back), indexed by name and by claim label; every watch event tells the host that
 * node types may have changed (their capacity is counted from these hosts). Own writes are folded in at
 * once (upsert) so the next claim in this process sees them before the watch event arrives. Free hosts
 * (whyNotFree), and per node type the free hosts that fit it, are kept in positional indexes maintained on
 * every event (FreeHostIndex), so a pick never scans claimed or busy hosts, nor hosts of other node types.
 */
import { inject, injectable } from 'tsyringe';
import { TransientError, type ListPage, type ResourceWatch, type ResourceWatches } from '../../plugin/contract.js';
import { FreeHostIndex, type PositionalHosts } from './hosts/freeIndex.js';
import { nodeTypeFit, type NodeTypeFit } from './hosts/nodeTypeFit.js';
import { KubeClient } from './kube.js';
import { slimHost } from './slimHost.js';
import { BMH_API, LABEL } from './names.js';
import { NODE_TYPES_CHANGED, SITE_CLUSTER, WATCHES } from './tokens.js';
import type { Metal3NodeTypeSpec } from './spec.js';
import type { BareMetalHost } from './types.js';

const SYNC_TIMEOUT_MS = 30_000;

@injectable()
export class HostCache {
  private watch?: ResourceWatch<BareMetalHost>;
  private hosts = new Map<string, BareMetalHost>();
  private byClaim = new Map<string, Set<string>>();
  private readonly freeHosts = new FreeHostIndex();
  /** Each node type's fit, once per node type object (a reconfigure brings new objects; the index keys fits by content). */
  private readonly fits = new WeakMap<Metal3NodeTypeSpec, NodeTypeFit>();
  private currentNamespace?: string;
  private stopped = true;
  private firstSync?: { promise: Promise<void>; resolve: () => void; done: boolean };

  constructor(
    private readonly kube: KubeClient,
    @inject(WATCHES) private readonly watches: ResourceWatches,
    @inject(SITE_CLUSTER) private readonly cluster: { name?: string },
    @inject(NODE_TYPES_CHANGED) private readonly nodeTypesChanged: () => void,
  ) {}

  get namespace(): string | undefined {
    return this.currentNamespace;
  }

  /** Starts (or restarts, when the namespace changed) the watch and waits for the first list. */
  async start(namespace: string): Promise<void> {
    if (namespace === this.currentNamespace && !this.stopped) return this.waitForSync();
    await this.stop();
    this.currentNamespace = namespace;
    this.stopped = false;
    this.hosts = new Map();
    this.byClaim = new Map();
    this.freeHosts.clear();
    let resolve = () => {};
    const promise = new Promise<void>((r) => (resolve = r));
    const synced = { promise, resolve, done: false };
    this.firstSync = synced;
    const watch = this.watches.watch<BareMetalHost>({
      cluster: this.cluster.name,
      path: `/apis/${BMH_API.group}/${BMH_API.version}/namespaces/${namespace}/${BMH_API.plural}`,
      list: (page) => this.listForWatch(namespace, page),
      // Any host event may change a node type's capacity: tell the host (it coalesces the calls).
      onChange: (host, kind) => this.changed(() => (kind === 'delete' ? this.remove(host.metadata.name) : this.upsert(host))),
    });
    this.watch = watch;
    void watch.whenSynced().then(() => {
      if (this.watch !== watch || this.stopped) return;
      synced.done = true;
      synced.resolve();
    });
    return this.waitForSync();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const watch = this.watch;
    this.watch = undefined;
    this.firstSync?.resolve();
    await watch?.stop();
  }

  /** tsyringe calls this from container.dispose(). */
  dispose(): Promise<void> {
    return this.stop();
  }

  /** Resolves once the first list of the current namespace is in; throws TransientError when not configured or stuck. */
  async waitForSync(): Promise<void> {
    const synced = this.firstSync;
    if (!synced || this.stopped) throw new TransientError('BareMetalHost cache is not running (provider not configured yet)');
    if (synced.done) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TransientError('BareMetalHost cache has not synced yet', { retryAfterMs: 1000 })), SYNC_TIMEOUT_MS);
    });
    try {
      await Promise.race([synced.promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
    if (!synced.done) throw new TransientError('BareMetalHost cache stopped before it synced');
  }

  /** Whether the first list of the current namespace is in (the cache may be stale later, while its site is unreachable). */
  isSynced(): boolean {
    return !this.stopped && Boolean(this.firstSync?.done);
  }

  all(): BareMetalHost[] {
    return [...this.hosts.values()];
  }

  /** Hosts that some claim could take now (see whyNotFree): a live view, not a copy; read it synchronously. */
  free(): PositionalHosts<BareMetalHost> {
    return this.freeHosts.all();
  }

  /** The free hosts that fit a node type (selector and resources), kept from the first call on: a live view; read it synchronously. */
  freeFor(nodeType: Metal3NodeTypeSpec): PositionalHosts<BareMetalHost> {
    let fit = this.fits.get(nodeType);
    if (!fit) {
      fit = nodeTypeFit(nodeType);
      this.fits.set(nodeType, fit);
    }
    return this.freeHosts.fitting(fit);
  }

  get(name: string): BareMetalHost | undefined {
    return this.hosts.get(name);
  }

  /** Hosts carrying `metal3.vcluster.com/node-claim: <uid>` (normally zero or one). */
  claimedBy(claimUid: string): BareMetalHost[] {
    return [...(this.byClaim.get(claimUid) ?? [])].flatMap((name) => this.hosts.get(name) ?? []);
  }

  /** Every host carrying a claim label. */
  *claimed(): IterableIterator<BareMetalHost> {
    for (const names of this.byClaim.values()) {
      for (const name of names) {
        const host = this.hosts.get(name);
        if (host) yield host;
      }
    }
  }

  /** Every claim uid that holds a host. */
  claimUids(): string[] {
    return [...this.byClaim.keys()];
  }

  /** Folds in a host (watch event or the answer to our own write), slimmed in place; older resourceVersions are ignored. */
  upsert(host: BareMetalHost): void {
    slimHost(host);
    const name = host.metadata.name;
    const known = this.hosts.get(name);
    if (known && isOlder(host, known)) return;
    this.unindex(known);
    this.hosts.set(name, host);
    this.freeHosts.put(host);
    const uid = host.metadata.labels?.[LABEL.nodeClaim];
    if (uid) {
      const names = this.byClaim.get(uid) ?? new Set<string>();
      names.add(name);
      this.byClaim.set(uid, names);
    }
  }

  /** Reads the host live (after a lost write) and folds the answer in; undefined when it is gone. */
  async refresh(namespace: string, name: string): Promise<BareMetalHost | undefined> {
    const current = await this.kube.getHost(namespace, name);
    if (current) this.upsert(current);
    else this.remove(name);
    return current;
  }

  remove(name: string): void {
    this.unindex(this.hosts.get(name));
    this.hosts.delete(name);
    this.freeHosts.delete(name);
  }

  private changed(apply: () => void): void {
    apply();
    this.nodeTypesChanged();
  }

  private unindex(host: BareMetalHost | undefined): void {
    const uid = host?.metadata.labels?.[LABEL.nodeClaim];
    if (!host || !uid) return;
    const names = this.byClaim.get(uid);
    names?.delete(host.metadata.name);
    if (names?.size === 0) this.byClaim.delete(uid);
  }

  /** One page of hosts, slimmed before the host asks for the next (the warm-up peak is one page, not the fleet). */
  private async listForWatch(namespace: string, page?: ListPage) {
    const list = await this.kube.listHosts(namespace, page);
    for (const host of list.items) slimHost(host);
    return list;
  }
}

/** resourceVersions are opaque, but the API server's are integers; compare only when both are. */
function isOlder(candidate: BareMetalHost, known: BareMetalHost): boolean {
  const a = Number(candidate.metadata.resourceVersion);
  const b = Number(known.metadata.resourceVersion);
  return Number.isInteger(a) && Number.isInteger(b) && a < b;
}
