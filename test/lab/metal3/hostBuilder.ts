/** A valid BareMetalHost manifest with overrides (a spec key set to undefined is left out), for admission tests. */
import type { BareMetalHostSpec } from '../../../lab/metal3/types.js';

export interface HostOverrides {
  spec?: Partial<Record<keyof BareMetalHostSpec, unknown>>;
  annotations?: Record<string, string>;
}

export function aHost(name: string, namespace: string, overrides: HostOverrides = {}): Record<string, unknown> {
  const spec: Record<string, unknown> = {
    online: true,
    bootMACAddress: '52:54:00:00:00:01',
    bmc: { address: `redfish+http://10.0.0.1:8000/redfish/v1/Systems/${name}`, credentialsName: `${name}-bmc-secret` },
    ...overrides.spec,
  };
  for (const [k, v] of Object.entries(spec)) if (v === undefined) delete spec[k];
  return {
    apiVersion: 'metal3.io/v1alpha1',
    kind: 'BareMetalHost',
    metadata: { name, namespace, ...(overrides.annotations ? { annotations: overrides.annotations } : {}) },
    spec,
  };
}
