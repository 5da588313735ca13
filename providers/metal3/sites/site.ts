/**
 * One site of the provider: the cluster and namespace where a group of node types' BareMetalHosts live,
 * served by its own single-site Metal3Provider (own container, client, host cache) built on the client
 * configuration the host hands out for that cluster. The site follows its cluster: a new kubeconfig
 * rebuilds the provider, a cluster that is back restarts its watch at once (the host's watches do that),
 * and while the cluster is
 * missing, unreachable or refuses the credentials the site's types are unavailable (the message names the
 * Cluster and the NodeProvider field) and the cache keeps the last known hosts.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import {
  isInvalidConfiguration, TransientError, type ConnectedClusters, type Logger, type NodeTypeView,
} from '../../../plugin/contract.js';
import { NO_HOSTS, nodeTypeViews } from '../capacity.js';
import { validateProviderConfig } from '../config.js';
import type { Metal3Provider } from '../provider.js';
import type { SiteLayout } from './siteLayout.js';

/**
 * Builds the single-site provider for a site on `kubeConfig` (of connected cluster `cluster`; absent: the
 * management cluster); dispose() stops everything it started.
 */
export type OpenSite = (kubeConfig: KubeConfig, site: string, cluster: string | undefined) => { provider: Metal3Provider; dispose(): Promise<void> };

/** How long configure() waits for a reachable site's first list before letting it finish in the background. */
const CONFIGURE_WAIT_MS = 10_000;

export interface SiteDeps {
  management: KubeConfig;
  /** Absent: the host has no connected clusters, every site is the management cluster. */
  clusters?: ConnectedClusters;
  open: OpenSite;
  logger: Logger;
}

export class Site {
  private runtime?: { provider: Metal3Provider; dispose(): Promise<void>; generation: number };
  private configuring?: Promise<void>;
  private lastError?: string;
  private readonly log: Logger;

  constructor(private layout: SiteLayout, private readonly deps: SiteDeps) {
    this.log = deps.logger.child({ site: layout.key });
  }

  get key(): string {
    return this.layout.key;
  }

  /** The connected cluster's name; undefined for the management cluster. */
  get cluster(): string | undefined {
    return this.deps.clusters ? this.layout.clusterRef.cluster : undefined;
  }

  get nodeTypeNames(): string[] {
    return [...this.layout.zones.keys()];
  }

  /** The zone the site's node type publishes (a site's machines share its cluster's zone by default). */
  zoneOf(nodeType: string | undefined): string | undefined {
    return (nodeType ? this.layout.zones.get(nodeType) : undefined) ?? this.layout.clusterRef.cluster;
  }

  /** Why the site takes no new claims now, or undefined when it does. */
  problem(): { reason: string; message: string } | undefined {
    const name = this.cluster;
    const where = `NodeProvider ${this.layout.config.name}: ${this.layout.field}`;
    if (name) {
      const cluster = this.deps.clusters!.get(name);
      if (!cluster.ready) return { reason: cluster.reason ?? 'Unreachable', message: `${where}: ${cluster.message ?? `Cluster ${name}: not ready`}` };
    }
    if (!this.runtime?.provider.isSynced()) {
      const label = name ? `Cluster ${name}` : 'the management cluster';
      return { reason: 'Unreachable', message: `${where}: BareMetalHosts of ${label} not listed yet${this.lastError ? `: ${this.lastError}` : ''}` };
    }
    return undefined;
  }

  /** The provider serving this site, when its cache is in (possibly stale while the site is down). */
  get provider(): Metal3Provider | undefined {
    return this.runtime?.provider.isSynced() ? this.runtime.provider : undefined;
  }

  /** The provider for a call that must reach the site now; TransientError (naming the cluster) when it cannot. */
  reachable(): Metal3Provider {
    const problem = this.problem();
    if (problem || !this.runtime) throw new TransientError(problem?.message ?? `site ${this.key} is not running`, { retryAfterMs: 2000 });
    return this.runtime.provider;
  }

  /** Applies a new layout (configure) and (re)builds the provider when the cluster's configuration changed. */
  async apply(layout: SiteLayout): Promise<void> {
    this.layout = layout;
    await this.follow(true);
  }

  /** The host reports a change of this site's cluster (a watch waiting to restart is restarted by the host's watches). */
  onClusterChange(): void {
    void this.follow(false).catch(() => undefined);
  }

  async stop(): Promise<void> {
    await this.configuring;
    const runtime = this.runtime;
    this.runtime = undefined;
    await runtime?.dispose();
  }

  /** The site's node types: live capacity from its cache, or the configured types with nothing known yet. */
  async nodeTypes(): Promise<NodeTypeView[]> {
    const provider = this.provider;
    const views = provider ? await provider.nodeTypes() : nodeTypeViews(validateProviderConfig(this.layout.config), NO_HOSTS);
    const unavailable = this.problem();
    return views.map((view) => {
      const zone = this.layout.zones.get(view.name);
      return { ...view, ...(zone ? { zone } : {}), ...(unavailable ? { unavailable } : {}) };
    });
  }

  private async follow(reconfigure: boolean): Promise<void> {
    const target = this.target();
    if (!target) return; // no client configuration (yet): keep what there is, the problem says why
    if (this.runtime && this.runtime.generation !== target.generation) {
      this.log.info({ cluster: this.cluster }, 'cluster configuration changed: rebuilding the site');
      const old = this.runtime;
      this.runtime = undefined;
      await old.dispose().catch(() => undefined);
      reconfigure = true;
    }
    if (!this.runtime) {
      this.runtime = { ...this.deps.open(target.kubeConfig, this.key, this.cluster), generation: target.generation };
      reconfigure = true;
    }
    if (reconfigure) await this.configure(this.runtime.provider);
  }

  private target(): { kubeConfig: KubeConfig; generation: number } | undefined {
    const name = this.cluster;
    if (!name) return { kubeConfig: this.deps.management, generation: 0 };
    const cluster = this.deps.clusters!.get(name);
    return cluster.kubeConfig ? { kubeConfig: cluster.kubeConfig, generation: cluster.generation } : undefined;
  }

  /**
   * Configures the site's provider. Bad input throws at once; otherwise it waits for the first list only
   * while that is quick, so an unreachable site never holds up the others.
   */
  private async configure(provider: Metal3Provider): Promise<void> {
    const config = this.layout.config;
    const run = provider.configure(config).then(
      () => (this.lastError = undefined),
      (err: unknown) => {
        if (isInvalidConfiguration(err)) throw err;
        this.lastError = String((err as Error)?.message ?? err).split('\n')[0];
        this.log.warn({ cluster: this.cluster, err: this.lastError }, 'site not configured yet; retrying when its cluster changes or on the next configure');
      },
    );
    this.configuring = run.finally(() => (this.configuring = undefined)).catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const wait = this.cluster && !this.deps.clusters!.get(this.cluster).ready ? 0 : CONFIGURE_WAIT_MS;
    const bounded = new Promise<void>((resolve) => (timer = setTimeout(resolve, wait)));
    try {
      await Promise.race([run, bounded]);
    } finally {
      clearTimeout(timer);
    }
  }
}
