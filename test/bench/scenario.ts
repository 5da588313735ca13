/**
 * What every bench scenario shares: the fleet mix, the NodeProvider configuration (several node
 * types with selectors, an IP pool), the platform objects it names, and the burst of claims spread
 * over the tenant clusters.
 */
import type { JoinSpec, NodeClaimView, ProviderConfig } from '../../plugin/contract.js';

export const HOST_NAMESPACE = 'metal3-system';
export const TENANTS = 50;
/** One DGX for every three CPU servers. */
export const FLEET_MIX = { 'dgx-h100': 1, 'cpu-epyc': 3 };

export const OS_IMAGE = {
  name: 'ubuntu-noble',
  properties: {
    'metal3.vcluster.com/image-url': 'http://images.lab/ubuntu-noble.qcow2',
    'metal3.vcluster.com/image-checksum': 'a'.repeat(64),
    'metal3.vcluster.com/image-checksum-type': 'sha256',
  },
};
export const SSH_KEY = { name: 'ops', publicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBenchKeyForTheFleet ops@lab' };

export const NODE_TYPES = ['gpu-h100', 'cpu-large', 'cpu-small'] as const;

export function providerConfig(namespace = HOST_NAMESPACE): ProviderConfig {
  return {
    name: 'metal3-provider',
    spec: {
      properties: {
        'vcluster.com/os-image': OS_IMAGE.name,
        'vcluster.com/ssh-keys': SSH_KEY.name,
        // A /16: room for every claim of the largest burst without the pool running dry.
        'metal3.vcluster.com/network-cidr': '10.20.0.1/16',
        'metal3.vcluster.com/dns-servers': '10.20.0.53,1.1.1.1',
      },
      metal3: {
        clusterRef: { cluster: 'lab', namespace },
        nodeTypes: [
          {
            name: 'gpu-h100',
            resources: { cpu: '200', memory: '1Ti', 'nvidia.com/gpu': '8' },
            cost: 100,
            bareMetalHosts: { selector: { matchLabels: { 'gpu-model': 'h100', 'node-role': 'gpu-worker' } } },
          },
          {
            name: 'cpu-large',
            resources: { cpu: '300', memory: '512Gi' },
            cost: 10,
            bareMetalHosts: { selector: { matchLabels: { 'hardware-profile': 'cpu-epyc' } } },
          },
          {
            name: 'cpu-small',
            resources: { cpu: '64', memory: '128Gi' },
            cost: 5,
            bareMetalHosts: { selector: { matchExpressions: [{ key: 'node-role', operator: 'In', values: ['cpu-worker'] }] } },
          },
        ],
      },
    },
  };
}

/**
 * `count` claims over tenant-1..50 (namespaces p-tenant-N). Node types follow the fleet mix (a
 * quarter GPU), so a burst as large as the fleet fills it exactly.
 */
export function claimBurst(count: number, runId: string): NodeClaimView[] {
  return Array.from({ length: count }, (_, i) => {
    const tenant = (i % TENANTS) + 1;
    const nodeType = i % 4 === 0 ? 'gpu-h100' : i % 2 === 0 ? 'cpu-large' : 'cpu-small';
    const hex = i.toString(16).padStart(8, '0');
    return {
      uid: `${hex}-${runId.slice(0, 4)}-4000-8000-${runId.padEnd(12, '0').slice(0, 12)}`,
      name: `tenant-${tenant}-${nodeType}-${i}`,
      namespace: `p-tenant-${tenant}`,
      nodeType,
      vClusterRef: `tenant-${tenant}`,
      nodeLabels: { 'vcluster.com/pool': nodeType },
    };
  });
}

export const JOIN: JoinSpec = {
  endpoint: 'https://10.0.0.5:8443',
  caCertPem: '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUBENCH\n-----END CERTIFICATE-----\n',
  caCertHash: `sha256:${'b'.repeat(64)}`,
  token: 'abcdef.0123456789abcdef',
};
