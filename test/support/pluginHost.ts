/**
 * A PluginHost for tests and benches that activate the plugin without the host's loader: the given
 * logger and events, the connected clusters if any, and the host's real `watches` service (the one informer
 * and restart policy) on the management cluster and those clusters.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { ConnectedClusters, EventRecorder, Logger, PluginHost } from '../../plugin/contract.js';
import { pluginWatches } from '../../platform/host/pluginWatches.js';

export function aPluginHost(kubeConfig: KubeConfig, opts: { logger: Logger; events?: EventRecorder; replicaId?: string; nodeTypesChanged?: () => void; clusters?: ConnectedClusters }): PluginHost {
  const events = opts.events ?? { record: () => undefined };
  const providerName = 'metal3-provider';
  return {
    providerName,
    kubeConfig,
    logger: opts.logger,
    events,
    replicaId: opts.replicaId ?? 'test',
    nodeTypesChanged: opts.nodeTypesChanged ?? (() => undefined),
    clusters: opts.clusters,
    watches: pluginWatches({
      kubeConfig, clusters: opts.clusters, logger: opts.logger, events, provider: { apiVersion: 'management.loft.sh/v1', kind: 'NodeProvider', name: providerName },
    }),
  };
}
