/**
 * The host's connected clusters: watches `management.loft.sh/v1` Clusters, reads each one's kubeconfig
 * Secret, probes the cluster with it and keeps one client configuration per cluster for the plugins
 * (ConnectedClusters in the contract). A Cluster whose Secret is missing or unparsable, whose API does not
 * answer or refuses the credentials is reported not ready with a message naming it, on the Cluster's own
 * status (phase Initialized | Failed, condition Ready) and to every listener. Re-probed periodically, so
 * an outage and a return are both noticed within one probe interval.
 */
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import type { Clock, ConnectedCluster, ConnectedClusters, Logger } from '../../plugin/contract.js';
import { withConditions, type Condition, type ConditionUpdate } from '../runtime/conditions.js';
import { CLUSTERS, GROUP, VERSION } from '../runtime/apis.js';
import type { ResourceInformer } from '../runtime/informer.js';
import { startPlatformInformer } from '../runtime/platformInformer.js';
import { sameJson } from '../runtime/sameJson.js';
import { kubeConfigFromSecret, secretLocationOf, type ClusterObject, type Problem } from './clusterObject.js';
import { DEFAULT_PROBE_TIMEOUT_MS, probeCluster } from './probe.js';

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
export const DEFAULT_PROBE_INTERVAL_MS = 10_000;

export interface ClusterDirectoryOptions {
  /** The management cluster: where Cluster objects and their Secrets live. */
  kubeConfig: KubeConfig;
  logger: Logger;
  clock: Clock;
  /** How often every cluster is re-read and re-probed. Default 10 s. */
  probeIntervalMs?: number;
  probeTimeoutMs?: number;
}

interface Entry {
  state: ConnectedCluster;
  /** The kubeconfig text the current `state.kubeConfig` was built from (compared, never logged). */
  source?: string;
}

export class ClusterDirectory implements ConnectedClusters {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<(name: string) => void>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private readonly core: CoreV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly log: Logger;
  private informer: ResourceInformer<ClusterObject & { metadata: { name: string } }> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private generations = 0;
  private stopped = false;

  constructor(private readonly opts: ClusterDirectoryOptions) {
    this.core = opts.kubeConfig.makeApiClient(CoreV1Api);
    this.custom = opts.kubeConfig.makeApiClient(CustomObjectsApi);
    this.log = opts.logger.child({ component: 'clusters' });
  }

  /** Lists the Clusters and probes each once before resolving, so plugins start with a current view. */
  async start(): Promise<void> {
    this.informer = await startPlatformInformer<ClusterObject & { metadata: { name: string } }>(CLUSTERS, {
      kubeConfig: this.opts.kubeConfig, onChange: (cluster) => void this.refresh(cluster.metadata.name), logger: this.log,
    });
    await this.refreshAll();
    this.timer = setInterval(() => void this.refreshAll(), this.opts.probeIntervalMs ?? DEFAULT_PROBE_INTERVAL_MS);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.informer?.stop();
    await Promise.all([...this.running.values()]);
    this.listeners.clear();
  }

  get(name: string): ConnectedCluster {
    return this.entries.get(name)?.state ?? notFound(name);
  }

  onChange(listener: (name: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every known cluster (for the dashboard and tests). */
  list(): ConnectedCluster[] {
    return [...this.entries.values()].map((e) => e.state);
  }

  /** Re-reads and re-probes every Cluster now, and forgets deleted ones. */
  async refreshAll(): Promise<void> {
    const names = new Set([...(this.informer?.list() ?? []).map((c) => c.metadata.name), ...this.entries.keys()]);
    await Promise.all([...names].map((name) => this.refresh(name)));
  }

  /** Re-reads and re-probes one Cluster; calls for the same name are serialised (a call during one runs after it). */
  refresh(name: string): Promise<void> {
    const current = this.running.get(name);
    if (current) {
      this.again.add(name);
      return current;
    }
    const run = this.update(name)
      .catch((err: unknown) => this.log.warn({ cluster: name, err: String((err as Error)?.message ?? err).split('\n')[0] }, 'cluster refresh failed'))
      .finally(() => {
        this.running.delete(name);
        if (this.again.delete(name) && !this.stopped) void this.refresh(name);
      });
    this.running.set(name, run);
    return run;
  }

  private async update(name: string): Promise<void> {
    if (this.stopped) return;
    const object = this.informer?.list().find((c) => c.metadata.name === name);
    if (!object) {
      if (this.entries.delete(name)) this.notify(name);
      return;
    }
    const previous = this.entries.get(name);
    const resolved = await this.resolveConfig(object);
    let next: Entry;
    if ('reason' in resolved) {
      next = { state: { name, ready: false, generation: previous?.state.generation ?? 0, reason: resolved.reason, message: resolved.message } };
    } else {
      const same = previous?.source !== undefined && previous.source === resolved.source && previous.state.kubeConfig;
      const kubeConfig = same ? previous.state.kubeConfig! : resolved.kubeConfig;
      const generation = same ? previous.state.generation : ++this.generations;
      const problem = await probeCluster(name, kubeConfig, this.opts.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS);
      next = {
        source: resolved.source,
        state: problem
          ? { name, ready: false, kubeConfig, generation, reason: problem.reason, message: problem.message }
          : { name, ready: true, kubeConfig, generation },
      };
    }
    if (this.stopped) return;
    this.entries.set(name, next);
    const changed = !previous || previous.state.ready !== next.state.ready || previous.state.reason !== next.state.reason
      || previous.state.generation !== next.state.generation;
    if (changed) {
      const level = next.state.ready ? 'info' : 'warn';
      this.log[level]({ cluster: name, ready: next.state.ready, reason: next.state.reason, detail: next.state.message }, 'connected cluster changed');
      this.notify(name);
    }
    await this.writeStatus(object, next.state);
  }

  /** The client configuration of a Cluster (the management cluster's own for `local: true`), or why there is none. */
  private async resolveConfig(object: ClusterObject): Promise<{ kubeConfig: KubeConfig; source: string } | Problem> {
    if (object.spec?.local) return { kubeConfig: this.opts.kubeConfig, source: 'local' };
    const where = secretLocationOf(object);
    if ('reason' in where) return where;
    let data: Record<string, string> | undefined;
    try {
      data = (await this.core.readNamespacedSecret({ namespace: where.namespace, name: where.name })).data ?? {};
    } catch (err) {
      if ((err as { code?: unknown }).code === 404) {
        return { reason: 'KubeconfigMissing', message: `Cluster ${object.metadata.name}: spec.config.secretName: Secret ${where.namespace}/${where.name} not found` };
      }
      throw err;
    }
    const parsed = kubeConfigFromSecret(object.metadata.name, where, data);
    return 'reason' in parsed ? parsed : { kubeConfig: parsed.kubeConfig, source: parsed.text };
  }

  private async writeStatus(object: ClusterObject, state: ConnectedCluster): Promise<void> {
    const now = this.opts.clock.now().toISOString();
    const ready: ConditionUpdate = state.ready
      ? { type: 'Ready', status: 'True', reason: 'Connected', message: 'the cluster accepts the kubeconfig\'s credentials' }
      : { type: 'Ready', status: 'False', reason: state.reason!, message: state.message! };
    const status = {
      phase: state.ready ? 'Initialized' : 'Failed',
      reason: state.ready ? null : state.reason,
      message: state.ready ? null : state.message,
      conditions: withConditions(object.status?.conditions as Condition[] | undefined, [ready], new Date(now)),
    };
    const current = { phase: object.status?.phase, reason: object.status?.reason ?? null, message: object.status?.message ?? null, conditions: object.status?.conditions };
    if (sameJson(current, status)) return;
    try {
      await this.custom.patchClusterCustomObjectStatus({ group: GROUP, version: VERSION, plural: CLUSTERS, name: object.metadata.name, body: { status } }, MERGE);
    } catch (err) {
      if ((err as { code?: unknown }).code !== 404) throw err;
    }
  }

  private notify(name: string): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(name);
      } catch (err) {
        this.log.warn({ cluster: name, err: String((err as Error)?.message ?? err) }, 'cluster listener failed');
      }
    }
  }
}

function notFound(name: string): ConnectedCluster {
  return { name, ready: false, generation: 0, reason: 'ClusterNotFound', message: `Cluster ${name}: not found (no management.loft.sh/v1 Cluster of that name)` };
}
