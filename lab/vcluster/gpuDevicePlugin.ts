/**
 * The NVIDIA GPU Operator's device plugin, as a lab stand-in: for every Node whose machine has GPUs
 * it advertises `nvidia.com/gpu` in the Node's capacity and allocatable (what the kubelet does once
 * the device plugin registers with it). The node provider plugin never sets GPU resources itself.
 */
import { PatchStrategy, setHeaderOptions, type CoreV1Api, type V1Node } from '@kubernetes/client-node';
import type { Watched } from './workloads.js';
import type { Logger } from '../../plugin/contract.js';
import type { MachineLookup } from './machine.js';

export const GPU_RESOURCE = 'nvidia.com/gpu';
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export class GpuDevicePlugin {
  private stopped = false;

  constructor(
    private readonly core: CoreV1Api, nodes: Watched<V1Node>, private readonly machines: MachineLookup, private readonly logger?: Logger,
  ) {
    nodes.on('add', (n) => void this.advertise(n));
    nodes.on('update', (n) => void this.advertise(n));
  }

  stop(): void {
    this.stopped = true;
  }

  private async advertise(node: V1Node): Promise<void> {
    const name = node.metadata?.name;
    // Only once the kubelet has reported the node's own resources, and only while nothing is advertised yet.
    if (!name || this.stopped || !node.status?.capacity?.cpu || node.status.capacity[GPU_RESOURCE] !== undefined) return;
    try {
      const gpus = (await this.machines(name))?.gpus ?? 0;
      if (gpus <= 0) return;
      const count = String(gpus);
      await this.core.patchNodeStatus({ name, body: { status: { capacity: { [GPU_RESOURCE]: count }, allocatable: { [GPU_RESOURCE]: count } } } }, MERGE);
      this.logger?.info({ node: name, gpus }, 'GPU device plugin: advertised nvidia.com/gpu');
    } catch (err) {
      if ((err as { code?: number }).code !== 404) this.logger?.warn({ node: name, err: String((err as Error)?.message ?? err) }, 'GPU device plugin: could not advertise');
    }
  }
}
