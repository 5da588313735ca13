/**
 * What a tenant's kubelet and device plugins find on the machine behind a Node (the lab's physical
 * truth, looked up by node name; the world answers from the host's hardware profile). The kubelet
 * reports cpu, memory, pods and ephemeral storage; GPUs appear only through the GPU device plugin
 * (gpuDevicePlugin.ts), as with the NVIDIA GPU Operator.
 */
export interface MachineFacts {
  cpus: number;
  memoryMebibytes: number;
  /** NVIDIA GPUs in the machine (0 for CPU servers). */
  gpus: number;
  rootDiskBytes?: number;
}

import { MAX_PODS } from '../../common/podFit.js';

export type MachineLookup = (nodeName: string) => Promise<MachineFacts | undefined>;


/** Node `status.capacity` and `allocatable` as the kubelet reports them (no reservations configured). */
export function kubeletResources(m: MachineFacts): { capacity: Record<string, string>; allocatable: Record<string, string> } {
  const capacity = {
    cpu: String(m.cpus),
    memory: `${m.memoryMebibytes}Mi`,
    pods: String(MAX_PODS),
    'ephemeral-storage': String(m.rootDiskBytes ?? 100 * 2 ** 30),
  };
  return { capacity, allocatable: { ...capacity } };
}
