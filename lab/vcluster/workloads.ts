/**
 * The workload side of a lab tenant: one pod and one node informer shared by the scheduler stand-in,
 * the kubelet's pod runner and the GPU device plugin (when the tenant knows its machines).
 */
import { CoreV1Api, makeInformer, type Informer, type KubeConfig, type KubernetesObject, type ObjectCache, type V1Node, type V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../../plugin/contract.js';
import { GpuDevicePlugin } from './gpuDevicePlugin.js';
import type { MachineLookup } from './machine.js';
import { PodRunner } from './podRunner.js';
import { PodScheduler } from './scheduler.js';

/** A client-node informer with its cache. */
export type Watched<T extends KubernetesObject> = Informer<T> & ObjectCache<T>;

export interface TenantWorkloads {
  stop(): Promise<void>;
}

export async function startTenantWorkloads(kubeConfig: KubeConfig, opts: { machines?: MachineLookup; logger?: Logger } = {}): Promise<TenantWorkloads> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const pods: Watched<V1Pod> = makeInformer(kubeConfig, '/api/v1/pods', () => core.listPodForAllNamespaces());
  const nodes: Watched<V1Node> = makeInformer(kubeConfig, '/api/v1/nodes', () => core.listNode());
  let stopped = false;
  for (const inf of [pods, nodes] as Watched<never>[]) {
    inf.on('error', () => {
      if (!stopped) setTimeout(() => void inf.start().catch(() => undefined), 500).unref();
    });
  }
  const devicePlugin = opts.machines ? new GpuDevicePlugin(core, nodes, opts.machines, opts.logger) : undefined;
  await Promise.all([pods.start(), nodes.start()]);
  const scheduler = new PodScheduler(core, pods, nodes, opts.logger);
  const runner = new PodRunner(core, pods, nodes, opts.logger);
  return {
    async stop() {
      stopped = true;
      devicePlugin?.stop();
      runner.stop();
      await scheduler.stop();
      await Promise.all([pods.stop(), nodes.stop()]);
    },
  };
}
