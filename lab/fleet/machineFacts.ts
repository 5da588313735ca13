/**
 * The lab's physical truth for a tenant Node: the hardware profile of the BareMetalHost the node runs
 * on (the host of that name, or the host whose consumerRef names it: nodes are named after their
 * claim). What a kubelet and the GPU device plugin would find on the machine; unknown answers undefined.
 */
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { MachineLookup } from '../vcluster/machine.js';
import { HARDWARE_PROFILE_ANNOTATION, profileNamed } from './profiles.js';

export function fleetMachines(kubeConfig: KubeConfig, namespace: string): MachineLookup {
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  return async (nodeName) => {
    type Host = { metadata?: { name?: string; annotations?: Record<string, string> }; spec?: { consumerRef?: { name?: string } } };
    const list = (await custom.listNamespacedCustomObject({ group: 'metal3.io', version: 'v1alpha1', namespace, plural: 'baremetalhosts' })) as { items: Host[] };
    const host = list.items.find((h) => h.metadata?.name === nodeName) ?? list.items.find((h) => h.spec?.consumerRef?.name === nodeName);
    if (!host) return undefined;
    const profile = profileNamed(host.metadata?.annotations?.[HARDWARE_PROFILE_ANNOTATION]);
    const rootDisk = profile.storage.find((s) => s.name === profile.rootDeviceName);
    return {
      cpus: profile.cpu.count,
      memoryMebibytes: profile.ramMebibytes,
      gpus: Number(profile.extendedResources['nvidia.com/gpu'] ?? 0),
      rootDiskBytes: rootDisk?.sizeBytes,
    };
  };
}
