/**
 * `PluginHost.watches` for one plugin version: the host's one informer (runtime/informer.ts) lent to the
 * plugin, on the management cluster or a connected one. A 403 becomes one `Forbidden` Warning Event on the
 * NodeProvider; a connected cluster that turns ready again restarts its watches waiting out a backoff at
 * once. `stop()` (the version is retired, or its activation failed) stops whatever the plugin left running.
 */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import {
  TransientError, type ConnectedClusters, type EventRecorder, type Logger, type ObjectRef, type ResourceWatch, type ResourceWatches,
  type WatchRequest,
} from '../../plugin/contract.js';
import { runResourceInformer, type ResourceInformer } from '../runtime/informer.js';

export interface PluginWatchesOptions {
  /** The management cluster. */
  kubeConfig: KubeConfig;
  clusters?: ConnectedClusters;
  logger: Logger;
  events: EventRecorder;
  /** The NodeProvider a refusal is reported on. */
  provider: ObjectRef;
}

export interface PluginWatches extends ResourceWatches {
  /** Stops every watch still running and stops following the clusters. */
  stop(): Promise<void>;
}

export function pluginWatches(opts: PluginWatchesOptions): PluginWatches {
  const running = new Set<{ cluster?: string; informer: ResourceInformer<KubernetesObject> }>();
  const unsubscribe = opts.clusters?.onChange((name) => {
    if (!opts.clusters?.get(name).ready) return;
    for (const watch of running) if (watch.cluster === name) watch.informer.reconnect();
  });
  return {
    watch<T extends KubernetesObject>(request: WatchRequest<T>): ResourceWatch<T> {
      const informer = runResourceInformer<T>({
        kubeConfig: kubeConfigOf(opts, request.cluster),
        path: request.path,
        list: (page) => request.list(page),
        onChange: (object, kind) => request.onChange(object, kind),
        logger: opts.logger.child({ cluster: request.cluster ?? 'management' }),
        onForbidden: (message) => opts.events.record(opts.provider, 'Warning', 'Forbidden', message),
      });
      const entry = { cluster: request.cluster, informer: informer as ResourceInformer<KubernetesObject> };
      running.add(entry);
      return {
        synced: () => informer.synced(),
        whenSynced: () => informer.whenSynced(),
        list: () => informer.list(),
        async stop() {
          running.delete(entry);
          await informer.stop();
        },
      };
    },
    async stop() {
      unsubscribe?.();
      const left = [...running];
      running.clear();
      await Promise.all(left.map((watch) => watch.informer.stop()));
    },
  };
}

function kubeConfigOf(opts: PluginWatchesOptions, cluster: string | undefined): KubeConfig {
  if (cluster === undefined) return opts.kubeConfig;
  if (!opts.clusters) throw new TransientError(`Cluster ${cluster}: this host serves no connected clusters`);
  const entry = opts.clusters.get(cluster);
  if (!entry.kubeConfig) throw new TransientError(`Cluster ${cluster}: no client configuration${entry.message ? `: ${entry.message}` : ''}`, { retryAfterMs: 2000 });
  return entry.kubeConfig;
}
