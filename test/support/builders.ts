/**
 * The one set of builders for test objects: `aClaim` (the NodeClaimView a hook receives),
 * `aNodeType` (a `spec.metal3.nodeTypes[]` entry), `aBareMetalHost` (a `metal3.io/v1alpha1`
 * BareMetalHost as the provider's pure logic reads it) and `aBareMetalHostManifest` (one to write through the API). Each gives a valid default; overrides
 * say only what a test is about.
 */
import type { JoinSpec, NodeClaimView } from '../../plugin/contract.js';
import type { BareMetalHostSpec as LabHostSpec } from '../../lab/metal3/types.js';
import type { Metal3NodeTypeSpec } from '../../providers/metal3/spec.js';
import type { BareMetalHost, BareMetalHostSpec, BareMetalHostStatus } from '../../providers/metal3/types.js';

let claimCounter = 0;

/** A claim of tenant `tenant-a` for node type `cpu-node`, with a fresh uid and name each call. */
export function aClaim(overrides: Partial<NodeClaimView> = {}): NodeClaimView {
  claimCounter++;
  return {
    uid: `0000${claimCounter.toString(16).padStart(4, '0')}-1111-2222-3333-${Date.now().toString(16).padStart(12, '0')}`,
    name: `tenant-a-${claimCounter}`,
    namespace: 'p-default',
    nodeType: 'cpu-node',
    vClusterRef: 'tenant-a',
    ...overrides,
  };
}

/**
 * Node type `cpu-node` (16 cpu, 64Gi, hosts labelled `hardware-class=cpu`); `matchLabels` replaces
 * the selector's labels.
 */
export function aNodeType(overrides: Partial<Metal3NodeTypeSpec> & { matchLabels?: Record<string, string> } = {}): Metal3NodeTypeSpec {
  const { matchLabels, ...rest } = overrides;
  return {
    name: 'cpu-node',
    resources: { cpu: '16', memory: '64Gi' },
    bareMetalHosts: { selector: { matchLabels: matchLabels ?? { 'hardware-class': 'cpu' } } },
    ...rest,
  };
}

/** An available, inspected, unclaimed host; overrides are merged one level deep per section. */
export function aBareMetalHost(name: string, overrides: {
  metadata?: Partial<BareMetalHost['metadata']>;
  spec?: Partial<BareMetalHostSpec>;
  status?: BareMetalHostStatus;
} = {}): BareMetalHost {
  return {
    metadata: { name, namespace: 'metal3', labels: { 'gpu-model': 'h100' }, annotations: {}, ...overrides.metadata },
    spec: { online: false, automatedCleaningMode: 'metadata', ...overrides.spec },
    status: {
      operationalStatus: 'OK',
      errorMessage: '',
      provisioning: { state: 'available' },
      hardware: { cpu: { count: 96 }, ramMebibytes: 786432 },
      ...overrides.status,
    },
  };
}

export const JOIN_TOKEN = 'abcdef.0123456789abcdef';

/** What the host hands createNode to join a tenant (a bootstrap token, the tenant CA). */
export const JOIN: JoinSpec = {
  endpoint: 'https://10.0.0.5:8443',
  caCertPem: '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUTEST\n-----END CERTIFICATE-----\n',
  caCertHash: `sha256:${'b'.repeat(64)}`,
  token: JOIN_TOKEN,
};

export interface HostManifestOverrides {
  spec?: Partial<Record<keyof LabHostSpec, unknown>>;
  annotations?: Record<string, string>;
}

/**
 * A BareMetalHost manifest BMO's webhook admits (online, Redfish BMC, boot MAC), to write through the API;
 * a spec key overridden with undefined is left out.
 */
export function aBareMetalHostManifest(name: string, namespace: string, overrides: HostManifestOverrides = {}): Record<string, unknown> {
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
