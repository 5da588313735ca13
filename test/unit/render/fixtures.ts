import type { JoinSpec } from '../../../plugin/contract.js';
import type { NetworkDataInput, UserDataInput } from '../../../providers/metal3/render/index.js';

/** A well-formed bootstrap token; tests assert where it does (and does not) appear. */
export const TOKEN = 'abcdef.0123456789abcdef';

export const CA_PEM = [
  '-----BEGIN CERTIFICATE-----',
  'MIIBdzCCAR2gAwIBAgIUYWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXowCgYIKoZIzj0EAwIw',
  'ETEPMA0GA1UEAwwGdGVuYW50MB4XDTI2MDEwMTAwMDAwMFoXDTM2MDEwMTAwMDAwMFow',
  '-----END CERTIFICATE-----',
  '',
].join('\n');

/** The join a tenant's machine gets (a standalone machine gets none). */
export const JOIN: JoinSpec = { endpoint: 'https://10.0.0.5:8443', caCertPem: CA_PEM, caCertHash: 'sha256:' + 'ab'.repeat(32), token: TOKEN };

export function userDataInput(overrides: Partial<UserDataInput> = {}): UserDataInput {
  return {
    hostname: 'server-01',
    claim: { name: 'claim-1', namespace: 'p-a', uid: '0b7e6f1c-1111-4a5b-9c0d-123456789abc', vCluster: 'tenant-a' },
    join: JOIN,
    sshKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGc2bA0mO4ZpZz operator@example'],
    taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }],
    ...overrides,
  };
}

export function networkDataInput(overrides: Partial<NetworkDataInput> = {}): NetworkDataInput {
  return {
    hostname: 'server-01',
    hostRef: 'BareMetalHost metal3/server-01',
    bootMac: '52:54:00:AA:00:01',
    nics: [
      { name: 'eno1', mac: '52:54:00:aa:00:01' },
      { name: 'eno2', mac: '52:54:00:aa:00:02', mtu: 9000 },
    ],
    ip: { address: '10.0.0.23', prefixLength: 24, gateway: '10.0.0.1', dns: ['1.1.1.1', '8.8.8.8'] },
    ...overrides,
  };
}

export const USER_CLOUD_CONFIG = `#cloud-config
package_update: true
packages: [jq]
write_files:
  - path: /etc/motd
    content: "managed by metal3-provider\\n"
runcmd:
  - echo user-first
hostname: should-be-ignored
`;
