/**
 * Platform replicas against one lab world, each with its own state folder and replica id, under
 * leader election with a short lease. A replica can be crashed (no lease release, calls aborted),
 * stopped gracefully, restarted or hot-reloaded.
 */
import { join } from 'node:path';
import type { Logger } from '../../plugin/contract.js';
import { DEFAULT_PLUGIN_LOADING, type PlatformConfig } from '../../platform/config.js';
import { startPlatform, type Platform } from '../../platform/platform.js';
import { silentLogger } from '../../platform/observability/logger.js';
import { PROVIDER_NAME, pluginPackageDir, type World } from '../../lab/world.js';

export const CHAOS_LEASE = { leaseName: 'metal3-provider-platform', namespace: 'kube-system' };

export interface ReplicaSetOptions {
  world: World;
  leaseDurationMs: number;
  logger?: Logger;
}

export class ReplicaSet {
  private readonly live = new Map<string, Platform>();
  private generation = 0;

  constructor(private readonly opts: ReplicaSetOptions) {}

  names(): string[] {
    return [...this.live.keys()].sort();
  }

  get(id: string): Platform | undefined {
    return this.live.get(id);
  }

  leaders(): string[] {
    return this.names().filter((id) => this.live.get(id)!.isLeader());
  }

  /** Starts replica `slot` (a new process identity each time, as a restarted pod gets). */
  async start(slot: string): Promise<Platform> {
    if (this.live.has(slot)) return this.live.get(slot)!;
    const replicaId = `${slot}-${++this.generation}`;
    const config: PlatformConfig = {
      providers: [{ name: PROVIDER_NAME, path: pluginPackageDir() }],
      options: {
        joinTimeoutMs: 60_000, tokenTtlSeconds: 3600, capacityBackoff: { initialMs: 200, maxMs: 2000 }, pollIntervalMs: 100, drainTimeoutMs: 5000,
        dynamic: { disruptionIntervalMs: 300, nominationGraceMs: 3000, recheckMs: 2000 },
      },
      plugins: { ...DEFAULT_PLUGIN_LOADING, drainTimeoutMs: 5000 },
      metricsPort: 0,
    };
    const platform = await startPlatform({
      kubeConfig: this.opts.world.kubeConfig, config, stateDir: join(this.opts.world.dir, 'replicas', slot),
      logger: (this.opts.logger ?? silentLogger()).child({ replica: replicaId }), replicaId,
      nodeTypeResyncMs: 1000, orphanIntervalMs: 1000, clusterProbeIntervalMs: 300,
      leaderElection: { ...CHAOS_LEASE, durationMs: this.opts.leaseDurationMs },
    });
    this.live.set(slot, platform);
    return platform;
  }

  /** Kills the replica: no graceful release, the lease has to expire. */
  async crash(slot: string): Promise<void> {
    const p = this.live.get(slot);
    this.live.delete(slot);
    await p?.crash();
  }

  async stopAll(): Promise<void> {
    const all = [...this.live.values()];
    this.live.clear();
    await Promise.all(all.map((p) => p.stop()));
  }
}
