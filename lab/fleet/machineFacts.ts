/**
 * The lab's physical truth for a tenant Node: the hardware profile of the BareMetalHost the node runs
 * on (node name = host name, as the rendered user data sets the hostname). What a kubelet and the
 * GPU device plugin would find on the machine; unknown hosts answer undefined.
 */
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { MachineLookup } from '../vcluster/machine.js';
import { HARDWARE_PROFILE_ANNOTATION, profileNamed } from './profiles.js';

export function fleetMachines(kubeConfig: KubeConfig, namespace: string): MachineLookup {
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  return async (nodeName) => {
    let host: { metadata?: { annotations?: Record<string, string> } };
    try {
      host = await custom.getNamespacedCustomObject({ group: 'metal3.io', version: 'v1alpha1', namespace, plural: 'baremetalhosts', name: nodeName });
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    }
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
