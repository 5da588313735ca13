/**
 * The host platform, composed: provider plugins (hot reload), the NodeType controller, the
 * autoNodes -> NodeClaim controllers, orphan collection, events, logs and metrics. Works against
 * the lab API or a real management cluster: everything goes through `kubeConfig`.
 *
 * Replicas: every replica activates the plugins and runs the NodeType controller (it is what calls
 * `configure()` on the replica's own plugin, so a standby is ready to serve at once; its writes are
 * convergent). The autoNodes, NodeClaim and orphan controllers run only on the leader of the Lease
 * `kube-system/metal3-provider-platform` (leader/leaderElector.ts): join tokens, drains and
 * createNode/deleteNode calls are never doubled, and a dead leader is replaced within about two
 * lease durations. If two leaders ever overlap (a paused process), the plugin's resourceVersion-
 * guarded host writes and create-if-absent IP reservations still keep hosts exclusive.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Clock, Logger } from '../plugin/contract.js';
import { startAutoNodesController } from './autoNodes/index.js';
import { startClusterDirectory, type ClusterDirectory } from './clusters/index.js';
import { loadPlatformConfig, type PlatformConfig } from './config.js';
import { startDynamicPools } from './dynamic/index.js';
import type { PlatformDeps, PlatformOptions } from './deps.js';
import { PluginDirectory } from './host/directory.js';
import { DEFAULT_LEADER_ELECTION, LeaderElector, type LeaderElectionOptions } from './leader/leaderElector.js';
import { LeaderOnlyControllers } from './leader/leaderOnly.js';
import { startNodeClaimController } from './nodeClaims/index.js';
import { startNodeTypeController, type NodeTypeController } from './nodeTypes/index.js';
import { startDashboard, type DashboardConfig } from './dashboard/index.js';
import { KubeEventRecorder } from './observability/events.js';
import { createLogger } from './observability/logger.js';
import { PlatformMetrics } from './observability/metrics.js';
import { startOrphanCollector } from './orphans/index.js';

export interface StartPlatformOptions {
  kubeConfig: KubeConfig;
  /** A platform.yaml, or an already parsed config. */
  configPath?: string;
  config?: PlatformConfig;
  /** Plugin version folders go to `<stateDir>/plugins/`. */
  stateDir: string;
  logger?: Logger;
  replicaId?: string;
  clock?: Clock;
  /** Overrides the config's platform options. */
  options?: Partial<PlatformOptions>;
  /** Overrides the config's metrics port (0 picks a free port). */
  metricsPort?: number;
  /** Overrides the config's dashboard (false: none); `assetsDir` points at a bundle built elsewhere (tests). */
  dashboard?: (Partial<DashboardConfig> & { assetsDir?: string }) | false;
  /** NodeType resync period (default 10 s). */
  nodeTypeResyncMs?: number;
  /** Orphan collection period (the collector's default when unset). */
  orphanIntervalMs?: number;
  /** How often connected clusters are re-read and probed (default 10 s). */
  clusterProbeIntervalMs?: number;
  /** Lease-based leader election for the claim controllers (default on: kube-system/metal3-provider-platform, 15 s); false runs them unconditionally. */
  leaderElection?: Partial<LeaderElectionOptions> | false;
}

export interface Platform {
  providers: PluginDirectory;
  metrics: PlatformMetrics;
  metricsUrl: string;
  /** The host's event recorder (what it recorded lately is kept for the dashboard). */
  events: KubeEventRecorder;
  /** The fleet dashboard's URL, when it runs. */
  dashboardUrl?: string;
  nodeTypes: NodeTypeController;
  /** Connected clusters (Cluster objects) and whether each is reachable. */
  clusters: ClusterDirectory;
  /** Re-activates one provider plugin or all (SIGHUP); rejects if one failed (the old version keeps serving). */
  reload(name?: string): Promise<void>;
  replicaId: string;
  /** Whether this replica currently runs the claim controllers (always true without leader election). */
  isLeader(): boolean;
  /** Graceful: controllers stop, the lease is handed back so another replica takes over at once. */
  stop(): Promise<void>;
  /** Like a killed process: everything stops and in-flight calls are aborted, but the lease is not released (it expires). */
  crash(): Promise<void>;
}

interface Stoppable { stop(): Promise<void> }

const DEFAULT_DASHBOARD_FALLBACK: DashboardConfig = { port: 0, address: '127.0.0.1' };

export async function startPlatform(opts: StartPlatformOptions): Promise<Platform> {
  if (!opts.config && !opts.configPath) throw new Error('startPlatform: configPath or config is required');
  const config = opts.config ?? (await loadPlatformConfig(opts.configPath!));
  const replicaId = opts.replicaId ?? `${hostname()}-${process.pid}`;
  const logger = opts.logger ?? createLogger({ bindings: { component: 'platform', replica: replicaId } });
  const clock = opts.clock ?? { now: () => new Date() };
  const kubeConfig = opts.kubeConfig;
  const started: Stoppable[] = [];
  let releaseLease = true;
  const stopAll = async () => {
    for (const s of started.splice(0).reverse()) {
      await s.stop().catch((err: unknown) => logger.error({ err: String((err as Error)?.message ?? err) }, 'platform component failed to stop'));
    }
  };

  try {
    const events = new KubeEventRecorder({ kubeConfig, logger, clock });
    started.push(events);
    const metrics = new PlatformMetrics();
    const metricsUrl = await metrics.listen(opts.metricsPort ?? config.metricsPort, config.metricsAddress);
    started.push(metrics);
    logger.info({ metricsUrl }, 'metrics served');

    const clusters = await startClusterDirectory({ kubeConfig, logger, clock, probeIntervalMs: opts.clusterProbeIntervalMs });
    started.push(clusters);

    // Filled in below; a reload that happens later re-syncs NodeTypes from the new version.
    const late: { nodeTypes?: NodeTypeController } = {};
    const providers = new PluginDirectory();
    started.push(providers);
    // Readiness: every configured plugin active and the NodeType controller's informers synced.
    const serving: { nodeTypes?: NodeTypeController } = {};
    metrics.health.add('plugins', () => {
      const inactive = config.providers.map((p) => p.name).filter((name) => !providers.get(name));
      return inactive.length ? `not active: ${inactive.join(', ')}` : undefined;
    });
    metrics.health.add('informers', () => {
      const unsynced = serving.nodeTypes?.unsynced() ?? 1;
      return unsynced ? `${unsynced} NodeType controller informer(s) not synced yet` : undefined;
    });
    for (const registration of config.providers) {
      try {
        const plugin = await providers.register({
          registration, pluginsRoot: join(opts.stateDir, 'plugins'), kubeConfig, clusters, logger, events, clock, replicaId,
          drainTimeoutMs: config.plugins.drainTimeoutMs, versionPollMs: config.plugins.versionPollMs,
          onReload: (outcome) => {
            metrics.countReload(registration.name, outcome);
            if (outcome === 'ok') void late.nodeTypes?.syncNow().catch(() => undefined);
          },
          onNodeTypesChanged: () => late.nodeTypes?.requestSync(),
        });
        logger.info({ provider: registration.name, version: plugin.version }, 'provider plugin active');
      } catch (err) {
        // Registered but inactive: a fixed version (new manifest version or reload) can still take over.
        logger.error({ provider: registration.name, err: (err as Error).message }, 'provider plugin could not be activated');
      }
    }

    const nodeTypes = await startNodeTypeController({
      kubeConfig, providers, events, logger, clock, capacityMetrics: metrics, resyncMs: opts.nodeTypeResyncMs,
    });
    started.push(nodeTypes);
    late.nodeTypes = nodeTypes;
    serving.nodeTypes = nodeTypes;
    // A cluster lost or back changes what its node types offer: publish that at once, not at the next resync.
    const unsubscribe = clusters.onChange(() => void nodeTypes.syncNow().catch(() => undefined));
    started.push({ stop: async () => unsubscribe() });

    const dashboardConfig = opts.dashboard === false ? undefined
      : opts.dashboard || config.dashboard ? { ...DEFAULT_DASHBOARD_FALLBACK, ...config.dashboard, ...(opts.dashboard || {}) } : undefined;
    let dashboardUrl: string | undefined;
    if (dashboardConfig) {
      const { assetsDir, ...listen } = dashboardConfig;
      const dashboard = await startDashboard({
        config: listen, assetsDir, kubeConfig, providers, cache: nodeTypes.cache, events, clock, logger,
      });
      started.push(dashboard);
      dashboardUrl = dashboard.url;
      logger.info({ dashboardUrl, requiresToken: dashboard.requiresToken }, 'dashboard served');
    }

    const deps: PlatformDeps = {
      kubeConfig, providers, events, logger, metrics, clock, replicaId,
      options: { ...config.options, ...(opts.options ?? {}) },
    };
    const claimControllers = new LeaderOnlyControllers([
      () => startAutoNodesController(deps),
      () => startNodeClaimController(deps),
      () => startDynamicPools(deps, deps.options.dynamic),
      () => startOrphanCollector(deps, opts.orphanIntervalMs),
    ], logger);
    let isLeader = () => claimControllers.active;
    if (opts.leaderElection === false) {
      await claimControllers.start();
      started.push(claimControllers);
    } else {
      const elector = new LeaderElector({
        ...DEFAULT_LEADER_ELECTION, ...(opts.leaderElection ?? {}), kubeConfig, identity: replicaId, logger,
        onStartedLeading: () => claimControllers.start(),
        onStoppedLeading: () => claimControllers.stop(),
      });
      started.push({ stop: () => elector.stop({ release: releaseLease }) });
      isLeader = () => elector.isLeader();
      await elector.start();
    }
    logger.info({ providers: providers.names(), leader: isLeader() }, 'platform started');

    return {
      providers,
      metrics,
      metricsUrl,
      events,
      ...(dashboardUrl ? { dashboardUrl } : {}),
      nodeTypes,
      clusters,
      reload: (name?: string) => providers.reload(name),
      replicaId,
      isLeader,
      stop: stopAll,
      crash: async () => {
        releaseLease = false;
        await stopAll();
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
