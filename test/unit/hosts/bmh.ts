import type { BareMetalHostLike } from '../../../providers/metal3/hosts/resources.js';

/** An available, inspected, unclaimed host; overrides are merged one level deep per section. */
export function bmh(name: string, overrides: {
  metadata?: BareMetalHostLike['metadata'];
  spec?: BareMetalHostLike['spec'];
  status?: BareMetalHostLike['status'];
} = {}): BareMetalHostLike {
  return {
    metadata: { name, namespace: 'metal3', labels: { 'gpu-model': 'h100' }, annotations: {}, ...overrides.metadata },
    spec: { automatedCleaningMode: 'metadata', ...overrides.spec },
    status: {
      operationalStatus: 'OK',
      errorMessage: '',
      provisioning: { state: 'available' },
      hardware: { cpu: { count: 96 }, ramMebibytes: 786432 },
      ...overrides.status,
    },
  };
}
