/**
 * A management API, one tenant and a server farm, with the builders the server tests share:
 * hand-written join user data, hosts created provisioned, status changes, and the checks on a
 * server's console.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from '@jest/globals';
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type V1Node } from '@kubernetes/client-node';
import { startKubeApi, type KubeApiServer } from '../../../lab/kube/index.js';
import { startServerFarm, type ServerFarm, type ServerFarmOptions } from '../../../lab/servers/index.js';
import { startTenant, type Tenant } from '../../../lab/vcluster/tenant.js';

export const NS = 'metal3';
const BMH = { group: 'metal3.io', version: 'v1alpha1', namespace: NS, plural: 'baremetalhosts' };
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const indent = (text: string, n: number) => text.trimEnd().split('\n').map((l) => ' '.repeat(n) + l).join('\n');

/** The MAC every test host boots from (its single NIC unless `nics` are given). */
export const BOOT_MAC = '02:00:00:00:00:01';

/**
 * Hand-written cloud-config (not the plugin's templates) that joins like vCluster's user data does.
 * Paths carry `$ROOT` (unset in namespace mode) so the test also passes in the prefix fallback.
 */
export function joinCloudConfig(opts: { hostname: string; caPem: string; endpoint: string; token: string }): string {
  return `#cloud-config
hostname: ${opts.hostname}
ssh_authorized_keys:
  - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIlabkey operator@lab
write_files:
  - path: /etc/vcluster/ca.crt
    permissions: '0644'
    content: |
${indent(opts.caPem, 6)}
  - path: /etc/default/kubelet
    content: KUBELET_EXTRA_ARGS="--register-with-taints=dedicated=lab:NoSchedule --max-pods=50"
runcmd:
  - echo "joining $(cat "$ROOT/etc/hostname")"
  - curl -fsSL --retry 2 --cacert "$ROOT/etc/vcluster/ca.crt" "${opts.endpoint}/node/join?token=${opts.token}" -o "$ROOT/tmp/join.sh"
  - bash "$ROOT/tmp/join.sh"
`;
}

export const OPENSTACK_NETWORK = JSON.stringify({
  links: [{ id: 'enp1s0', type: 'phy', ethernet_mac_address: BOOT_MAC }],
  networks: [{ id: 'net0', type: 'ipv4', link: 'enp1s0', ip_address: '192.168.100.10', netmask: '255.255.255.0',
    routes: [{ network: '0.0.0.0', netmask: '0.0.0.0', gateway: '192.168.100.1' }] }],
  services: [{ type: 'dns', address: '1.1.1.1' }],
});

export interface FarmWorld {
  mgmt: KubeApiServer;
  tenant: Tenant;
  farm: ServerFarm;
  rootDir: string;
  tenantCore: CoreV1Api;
  /** Join tokens handed out so far: none may appear on a console. */
  tokens: string[];
  createHost(name: string, userData: string, networkData?: string, nics?: { name: string; mac: string }[]): Promise<void>;
  setHostStatus(name: string, state: string, poweredOn: boolean): Promise<void>;
  readNode(name: string): Promise<V1Node | undefined>;
  phaseOf(host: string): string | undefined;
  expectNoToken(log: string): void;
  close(): Promise<void>;
}

export const readyStatus = (node: V1Node | undefined) => node?.status?.conditions?.find((c) => c.type === 'Ready')?.status;

export async function startFarmWorld(opts: Pick<ServerFarmOptions, 'cloudInit' | 'sandboxMode'> = {}): Promise<FarmWorld> {
  const mgmt = await startKubeApi({ port: 0 });
  const tenant = await startTenant({ name: 'farm-tenant', nodeGraceMs: 1000 });
  const core = mgmt.kubeConfig().makeApiClient(CoreV1Api);
  const custom = mgmt.kubeConfig().makeApiClient(CustomObjectsApi);
  const tenantCore = tenant.api.kubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: NS } } });
  const rootDir = await mkdtemp(join(tmpdir(), 'server-farm-'));
  const farm = await startServerFarm({ kubeConfig: mgmt.kubeConfig(), namespace: NS, rootDir, bootDelayMs: 20, heartbeatMs: 150, ...opts });
  const tokens: string[] = [];

  const setHostStatus = async (name: string, state: string, poweredOn: boolean, nics?: { name: string; mac: string }[]) => {
    await custom.patchNamespacedCustomObjectStatus({ ...BMH, name, body: {
      status: {
        errorCount: 0, errorMessage: '', operationalStatus: 'OK', poweredOn, provisioning: { ID: `ironic-${name}`, state },
        ...(nics ? { hardware: { nics: nics.map((n) => ({ ...n, ip: '', speedGbps: 25, pxe: n.mac === BOOT_MAC })) } } : {}),
      },
    } }, mergePatch);
  };

  return {
    mgmt, tenant, farm, rootDir, tenantCore, tokens,
    async createHost(name, userData, networkData, nics) {
      await core.createNamespacedSecret({ namespace: NS, body: { metadata: { name: `${name}-user-data` }, data: { userData: Buffer.from(userData).toString('base64') } } });
      if (networkData) {
        await core.createNamespacedSecret({ namespace: NS, body: { metadata: { name: `${name}-network-data` }, data: { networkData: Buffer.from(networkData).toString('base64') } } });
      }
      await custom.createNamespacedCustomObject({ ...BMH, body: {
        apiVersion: 'metal3.io/v1alpha1', kind: 'BareMetalHost', metadata: { name },
        spec: {
          online: true, bootMACAddress: BOOT_MAC, bmc: { address: 'redfish+http://127.0.0.1:8000/redfish/v1/Systems/1', credentialsName: `${name}-bmc` },
          image: { url: 'http://images.lab/ubuntu.img', checksum: 'abc', checksumType: 'sha256' },
          userData: { name: `${name}-user-data`, namespace: NS },
          ...(networkData ? { networkData: { name: `${name}-network-data`, namespace: NS } } : {}),
        },
      } });
      await setHostStatus(name, 'provisioned', true, nics);
    },
    setHostStatus: (name, state, poweredOn) => setHostStatus(name, state, poweredOn),
    readNode: (name) => tenantCore.readNode({ name }).catch(() => undefined),
    phaseOf: (host) => farm.servers().find((s) => s.host === host)?.phase,
    expectNoToken(log) {
      for (const token of tokens) {
        expect(log).not.toContain(token);
        expect(log).not.toContain(token.split('.')[1]);
      }
      expect(log).not.toMatch(/\b[a-z0-9]{6}\.[a-z0-9]{16}\b/);
    },
    async close() {
      await farm.stop();
      await tenant.close();
      await mgmt.close();
      await rm(rootDir, { recursive: true, force: true });
    },
  };
}
